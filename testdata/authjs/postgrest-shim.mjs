// postgrest-shim.mjs: a fetch() that answers @supabase/supabase-js the way
// Supabase's PostgREST would, from a local PostgreSQL, for the requests
// @auth/supabase-adapter makes. Test-only.
//
// The adapter cannot reach a real Supabase project here, and PostgREST is
// not an npm package; this shim lets the real adapter code (its queries,
// its format() of the rows) run unchanged against the real next_auth
// schema. It covers exactly the request shapes the adapter sends on the
// session path: select (with the users(*) embed over the sessions.userId
// foreign key), insert/update with return=representation, delete, each
// filtered by `col=eq.value`. Rows are PostgreSQL's own to_json of the
// table row, which is what PostgREST returns (time zone UTC, as on
// Supabase). Errors come back as PostgREST's JSON error body, status 400.

const tables = new Set(["users", "sessions", "accounts", "verification_tokens"]);

function quote(ident) {
  return '"' + ident.replaceAll('"', '""') + '"';
}

// filters turns `col=eq.value` query parameters into a WHERE clause.
function filters(params, args) {
  const where = [];
  for (const [key, value] of params) {
    if (key === "select" || key === "columns") continue;
    if (!value.startsWith("eq.")) throw new Error(`shim: unsupported filter ${key}=${value}`);
    args.push(value.slice(3));
    where.push(`t.${quote(key)} = $${args.length}`);
  }
  return where.length ? " WHERE " + where.join(" AND ") : "";
}

// embed adds the users(*) object PostgREST embeds through the foreign key
// (null when the user row is missing).
async function embed(pool, rows, select) {
  if (!/\busers\(\*\)/.test(select ?? "")) return rows;
  for (const r of rows) {
    const u = await pool.query(`SELECT to_json(u) AS j FROM next_auth.users u WHERE u.id = $1`, [r.userId]);
    r.users = u.rows[0]?.j ?? null;
  }
  return rows;
}

async function run(pool, method, table, params, body) {
  const args = [];
  const t = `next_auth.${quote(table)}`;
  switch (method) {
    case "GET": {
      const q = await pool.query(`SELECT to_json(t) AS j FROM ${t} t${filters(params, args)}`, args);
      return q.rows.map((r) => r.j);
    }
    case "POST": {
      const cols = Object.keys(body);
      const vals = cols.map((c) => body[c]);
      const ph = cols.map((_, i) => `$${i + 1}`).join(", ");
      const q = await pool.query(
        `WITH t AS (INSERT INTO ${t} (${cols.map(quote).join(", ")}) VALUES (${ph}) RETURNING *) SELECT to_json(t) AS j FROM t`,
        vals,
      );
      return q.rows.map((r) => r.j);
    }
    case "PATCH": {
      const cols = Object.keys(body).filter((c) => body[c] !== undefined);
      cols.forEach((c) => args.push(body[c]));
      const set = cols.map((c, i) => `${quote(c)} = $${i + 1}`).join(", ");
      const where = filters(params, args).replaceAll("t.", "");
      const q = await pool.query(
        `WITH t AS (UPDATE ${t} SET ${set}${where} RETURNING *) SELECT to_json(t) AS j FROM t`,
        args,
      );
      return q.rows.map((r) => r.j);
    }
    case "DELETE": {
      const where = filters(params, args).replaceAll("t.", "");
      await pool.query(`DELETE FROM ${t}${where}`, args);
      return [];
    }
  }
  throw new Error(`shim: unsupported method ${method}`);
}

function json(status, value) {
  return new Response(value === undefined ? "" : JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

// postgrestFetch returns a fetch for createClient's global.fetch.
export function postgrestFetch(pool) {
  return async (input, init = {}) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const m = url.pathname.match(/^\/rest\/v1\/([a-z_]+)$/);
    if (!m || !tables.has(m[1])) return json(404, { code: "PGRST205", message: `shim: no route ${url.pathname}` });
    const text = req.method === "GET" || req.method === "DELETE" ? "" : await req.text();
    const body = text ? JSON.parse(text) : undefined;
    let rows;
    try {
      rows = await run(pool, req.method, m[1], url.searchParams, body);
      rows = await embed(pool, rows, url.searchParams.get("select"));
    } catch (e) {
      return json(400, { code: e.code ?? "", details: e.detail ?? null, hint: e.hint ?? null, message: String(e.message) });
    }
    const wantsReturn = req.method === "GET" || (req.headers.get("prefer") ?? "").includes("return=representation");
    if (!wantsReturn) return new Response(null, { status: 204 });
    if ((req.headers.get("accept") ?? "").includes("application/vnd.pgrst.object+json")) {
      if (rows.length !== 1) {
        return json(406, {
          code: "PGRST116",
          details: `The result contains ${rows.length} rows`,
          hint: null,
          message: "JSON object requested, multiple (or no) rows returned",
        });
      }
      return json(200, rows[0]);
    }
    return json(req.method === "POST" ? 201 : 200, rows);
  };
}
