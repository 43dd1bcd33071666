// Long arrays (64+ names) for Auth.js's chunk comparator, where V8's
// TimSort merges runs and gallops: records V8's order as a permutation.
//   node resolver/testdata/v8_chunk_sort_long.mjs > resolver/testdata/v8_chunk_sort_long.json
const cmp = (a, b) => { const x = parseInt(a.split(".").pop() || "0"), y = parseInt(b.split(".").pop() || "0"); return x - y; };
let seed = 7; const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const out = [];
for (let t = 0; t < 30; t++) {
  const n = 64 + Math.floor(rnd() * 240); const c = []; const used = new Set();
  const nanRate = t % 3 === 0 ? 0 : (t % 3 === 1 ? 0.05 : 0.3);
  const mode = t % 4;
  for (let i = 0; i < n; i++) {
    let name;
    do {
      if (rnd() < nanRate) name = "s-" + Math.floor(rnd() * 1e6);
      else {
        let v;
        if (mode === 0) v = Math.floor(rnd() * 1000);
        else if (mode === 1) v = i + Math.floor(rnd() * 3); // mostly ascending
        else if (mode === 2) v = n - i + Math.floor(rnd() * 3); // mostly descending
        else v = Math.floor(rnd() * 20); // many equal
        name = "s." + v + String.fromCharCode(97 + Math.floor(rnd() * 26)) + Math.floor(rnd() * 100);
      }
    } while (used.has(name));
    used.add(name); c.push(name);
  }
  const sorted = [...c].sort(cmp);
  out.push({ in: c, perm: sorted.map((x) => c.indexOf(x)) });
}
process.stdout.write(JSON.stringify({ generator: "node " + process.version + " (V8 " + process.versions.v8 + ")", cases: out }) + "\n");
