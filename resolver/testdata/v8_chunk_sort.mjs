// Records V8's Array.prototype.sort with Auth.js's chunk comparator.
const cmp=(a,b)=>{const x=parseInt(a.split(".").pop()||"0"), y=parseInt(b.split(".").pop()||"0"); return x-y};
const P="authjs.session-token";
let seed=42; const rnd=()=>{seed=(seed*1103515245+12345)%2147483648; return seed/2147483648};
const pool=[P,P+"-legacy",P+".x",P+".",P+".00",P+".0x1f",P+".-2"]; for(let i=0;i<14;i++) pool.push(P+"."+i);
const out=[];
for(let t=0;t<300;t++){
  const n=1+Math.floor(rnd()*14); const names=new Set();
  while(names.size<n) names.add(pool[Math.floor(rnd()*pool.length)]);
  const c=[...names]; out.push({in:c,out:[...c].sort(cmp)});
}
for(let t=0;t<4;t++){ // long arrays (>= 64): numeric suffixes only
  const n=64+Math.floor(rnd()*80); const c=[]; for(let i=0;i<n;i++) c.push(P+"."+i);
  for(let i=n-1;i>0;i--){const j=Math.floor(rnd()*(i+1)); [c[i],c[j]]=[c[j],c[i]];}
  out.push({in:c,out:[...c].sort(cmp)});
}
process.stdout.write(JSON.stringify({generator:"node "+process.version+" (V8 "+process.versions.v8+")", cases:out})+"\n");
