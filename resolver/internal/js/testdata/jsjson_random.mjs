// jsjson_random.mjs: random JSON texts and what V8 makes of them,
// JSON.stringify(JSON.parse(text)) (or the SyntaxError), replayed by
// TestRecordedJSONStringify. Seeded, so reruns are identical.
//
//   node resolver/internal/js/testdata/jsjson_random.mjs > resolver/internal/js/testdata/jsjson_random.json
let seed = 99;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const strs = ['"a"', '"\\u0000"', '"\\ud800"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '"😀"', '"\\u2028\u2029"', '"<>&\\/"', '"\\b\\f\\n\\r\\t"',
  '"\\u001f\\u007f\u007f"', '"é\\u00e9"', '"\\"\\\\"', '"\\uFFFF"', '"\\uDBFF\\uDFFF"', '""'];
const nums = ["0", "-0", "1", "1.0", "1e21", "1E+21", "123456789012345678901", "0.1", "1e-7", "-1.5e-10", "5e-324", "1e400", "9007199254740993",
  "100", "2.50", "0.000001", "1e-6", "4.35", "12.5e3", "-0.0", "01", "1.", ".5", "+1"];
const keys = ['"a"', '"b"', '"0"', '"1"', '"10"', '"2"', '"01"', '"-1"', '"4294967294"', '"4294967295"', '"__proto__"', '"\\u0061"', '""', '"z"'];
const gen = (d) => {
  const r = rnd();
  if (d > 3 || r < 0.35) return pick([...strs, ...nums, "true", "false", "null"]);
  if (r < 0.7) {
    const n = Math.floor(rnd() * 5);
    return "{" + Array.from({ length: n }, () => pick(keys) + pick([":", " : "]) + gen(d + 1)).join(pick([",", ", "])) + "}";
  }
  const n = Math.floor(rnd() * 4);
  return "[" + Array.from({ length: n }, () => gen(d + 1)).join(",") + "]";
};
const cases = [];
for (let i = 0; i < 400; i++) {
  const text = gen(0);
  let out = null;
  try { out = JSON.stringify(JSON.parse(text)); } catch { out = null; }
  cases.push({ text, out });
}
process.stdout.write(JSON.stringify({ generator: "node " + process.version, cases }) + "\n");
