import { createHash } from "node:crypto";

/**
 * One Lua script of the store. Every script touches exactly one key (KEYS[1]),
 * so it runs on Redis Cluster, and all time is the Redis server's (`PX`
 * expiry, `TIME`), so receivers with skewed clocks agree on leases and TTLs.
 */
export interface DedupeScript {
  readonly name: "claim" | "complete" | "release" | "renew";
  readonly lua: string;
  /** SHA-1 of `lua`, the name Redis knows the script by (EVALSHA). */
  readonly sha: string;
}

/*
 * Per key, one string, in one of three states (the first byte tells which):
 *   claimed  c<token length>:<token>[=<fingerprint>]    expires with the lease
 *   done     d[=<fingerprint>]                            expires with the done TTL
 *   both     {"t":token,"cf":fp,"ce":ms,"de":ms,"df":fp}  (JSON)
 * "both" is latest mode only: a claim on a key whose last done fingerprint is
 * still remembered; ce and de are absolute Redis server times (TIME) in ms and
 * the key expires at the later of the two. A fingerprint is absent when the
 * delivery had none ("=" marks one, so an empty fingerprint is still one).
 * In the first two states the key's own expiry (PX) is the state's, so the
 * common path (absent -> claimed -> done) is one SET NX PX for a claim and a
 * GET plus a SET PX for a completion, and never reads the clock.
 */

/**
 * Helpers of the slow paths (a latest-mode claim beside a remembered done, a
 * lease that reads the clock). Each script runs its common path first, so the
 * common path defines none of them.
 */
const HELPERS = `
local function clock()
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function put(value, ttl)
  if ttl > 0 then
    redis.call('SET', key, value, 'PX', string.format('%.0f', ttl))
  else
    redis.call('DEL', key)
  end
end
local function fpart(fp)
  if fp then return '=' .. fp end
  return ''
end
`;

/**
 * Reads the key as claimed by ARGV[1]. Sets `raw`, and `rest` (what follows the
 * token: "" or "=<fingerprint>") for a plain claim; returns 0 when the key is
 * not claimed by ARGV[1]; leaves a claim beside a done (JSON) to the caller.
 */
const READ_OWNED = `
local key = KEYS[1]
local raw = redis.call('GET', key)
if not raw then return 0 end
local mine = 'c' .. #ARGV[1] .. ':' .. ARGV[1]
local rest = nil
if string.sub(raw, 1, #mine) == mine then
  rest = string.sub(raw, #mine + 1)
elseif string.sub(raw, 1, 1) ~= '{' then
  return 0
end
`;

/** Decodes a claim beside a done and checks its owner and lease: sets `v` and `now`. */
const READ_BOTH = `${HELPERS}
local v = cjson.decode(raw)
if v.t ~= ARGV[1] then return 0 end
local now = clock()
if v.ce <= now then return 0 end
`;

/** ARGV: token, leaseMs, mode, "1" when a fingerprint follows, fingerprint. */
const CLAIM = `
local key = KEYS[1]
local token, lease, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local fp = nil
local mine = 'c' .. #token .. ':' .. token
if ARGV[4] == '1' then
  fp = ARGV[5]
  mine = mine .. '=' .. fp
end
if lease > 0 and redis.call('SET', key, mine, 'NX', 'PX', ARGV[2]) then return 'claimed' end
local raw = redis.call('GET', key)
if not raw then return 'claimed' end
local kind = string.sub(raw, 1, 1)
if kind == 'c' then return 'in_progress' end
local df = nil
if kind == 'd' then
  if #raw > 1 then df = string.sub(raw, 3) end
  if mode == 'once' or df == fp then return 'duplicate' end
end
${HELPERS}
local now = clock()
local de
if kind == 'd' then
  de = now + redis.call('PTTL', key)
else
  local v = cjson.decode(raw)
  if v.ce > now then return 'in_progress' end
  de, df = v.de, v.df
  if de > now and (mode == 'once' or df == fp) then return 'duplicate' end
end
if de <= now then
  put(mine, lease)
  return 'claimed'
end
local ce = now + lease
if ce <= now then
  put('d' .. fpart(df), de - now)
else
  put(cjson.encode({ t = token, cf = fp, ce = ce, de = de, df = df }), math.max(ce, de) - now)
end
return 'claimed'
`;

/** ARGV: token, ttlMs. */
const COMPLETE = `${READ_OWNED}
if rest then
  if tonumber(ARGV[2]) > 0 then
    redis.call('SET', key, 'd' .. rest, 'PX', ARGV[2])
  else
    redis.call('DEL', key)
  end
  return 1
end
${READ_BOTH}
put('d' .. fpart(v.cf), tonumber(ARGV[2]))
return 1
`;

/** ARGV: token. The key goes back to its done state, or away. */
const RELEASE = `${READ_OWNED}
if rest then
  redis.call('DEL', key)
  return 1
end
${READ_BOTH}
put('d' .. fpart(v.df), v.de - now)
return 1
`;

/** ARGV: token, leaseMs. */
const RENEW = `${READ_OWNED}
local lease = tonumber(ARGV[2])
if rest then
  if lease > 0 then
    redis.call('PEXPIRE', key, ARGV[2])
  else
    redis.call('DEL', key)
  end
  return 1
end
${READ_BOTH}
v.ce = now + lease
put(cjson.encode(v), math.max(v.ce, v.de) - now)
return 1
`;

const script = (name: DedupeScript["name"], lua: string): DedupeScript => ({
  name,
  lua,
  sha: createHash("sha1").update(lua).digest("hex"),
});

/** The four scripts, one per `DedupeStore` operation. */
export const SCRIPTS = {
  claim: script("claim", CLAIM),
  complete: script("complete", COMPLETE),
  release: script("release", RELEASE),
  renew: script("renew", RENEW),
} as const satisfies Record<DedupeScript["name"], DedupeScript>;
