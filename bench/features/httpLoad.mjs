// Open-loop HTTP load client for the feature store benchmark, run in its own process so that
// the client does not share the server's event loop. Usage: node httpLoad.mjs URL_PREFIX MAX_ID RATE COUNT
// Prints JSON: {latencies: [ms...], errors}.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const [prefix, maxId, rate, count] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const latencies = [];
let errors = 0;
const start = performance.now();
const one = (i) =>
  new Promise((resolve) => {
    const due = start + (i * 1000) / rate;
    setTimeout(() => {
      const s = performance.now();
      const req = http.get(`${prefix}${1 + Math.floor(Math.random() * maxId)}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - s);
          else errors += 1;
          resolve();
        });
      });
      req.on('error', () => {
        errors += 1;
        resolve();
      });
    }, Math.max(0, due - performance.now()));
  });
await Promise.all(Array.from({ length: count }, (_, i) => one(i)));
agent.destroy();
process.stdout.write(JSON.stringify({ latencies, errors }));
