// `npx tsx bench/profile-summary.ts FILE.cpuprofile [TOP]`: the self-time tables for one profile.
import { formatProfile, summariseProfile } from './lib/profile.js';

const [file, top] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: tsx bench/profile-summary.ts FILE.cpuprofile [TOP]');
  process.exit(2);
}
console.log(formatProfile(summariseProfile(file, top === undefined ? 25 : Number(top))));
