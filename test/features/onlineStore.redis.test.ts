import { createOnlineStore } from '../../src/features/online/createOnlineStore.js';
import { runOnlineStoreConformance } from './onlineStoreConformance.js';
import { startRedis } from './redisServer.js';

let stop: (() => Promise<void>) | undefined;
runOnlineStoreConformance(
  'redis',
  async () => {
    const server = await startRedis();
    stop = server.stop;
    return createOnlineStore({ type: 'redis', url: server.url });
  },
  async () => stop?.(),
);
