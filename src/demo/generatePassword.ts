import { randomInt } from 'node:crypto';

/** A password a person can type: 4 groups of 4 letters and digits from an unambiguous alphabet (about 79 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  let s = '';
  for (let i = 0; i < 16; i++) s += (i > 0 && i % 4 === 0 ? '-' : '') + alphabet[randomInt(alphabet.length)];
  return s;
}
