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
 * Per key, one string, in one of four states (the first byte tells which):
 *   claimed  c<token length>:<token>[=<fingerprint>]        expires with the lease
 *   tracked  r<window>:<token length>:<token>[=<fingerprint>] expires window ms after the lease
 *   done     d[<version>][=<fingerprint>]                   expires with the done TTL
 *   both     {"t":token,"cf":fp,"ce":ms,"de":ms,"df":fp,"dv":n,"w":ms}  (JSON)
 * "tracked" is a claim made with a retry window (`retryWindowMs`): its key
 * outlives the lease by the window, so a lease that lapsed (PTTL at or under
 * the window) is still seen, and a release only ends the lease (PEXPIRE to
 * the window); a claim of the same version within it answers "reclaimed".
 * "both" is latest mode only: a claim on a key whose last done fingerprint is
 * still remembered; ce and de are absolute Redis server times (TIME) in ms and
 * the key expires at the later of ce + w and de. dv is the done version (a
 * number, absent or 0 for the first) and w the claim's window (absent or 0:
 * untracked). A done version is written only from 1 on. A fingerprint is
 * absent when the delivery had none ("=" marks one, so an empty fingerprint
 * is still one). In the first three states the key's own expiry (PX) is the
 * state's, so the common path (absent -> claimed -> done) is one SET NX PX for
 * a claim and a GET (plus a PTTL when tracked) and a SET PX for a completion,
 * and never reads the clock.
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
local function vpart(n)
  if n and n > 0 then return string.format('%.0f', n) end
  return ''
end
`;

/**
 * Reads the key as claimed by ARGV[1] with its lease running. Sets `raw`, and
 * `rest` (what follows the token: "" or "=<fingerprint>") for a plain or
 * tracked claim, `window` for a tracked one; returns 0 when the key is not
 * claimed by ARGV[1] (or its lease ended); leaves a claim beside a done
 * (JSON) to the caller.
 */
const READ_OWNED = `
local key = KEYS[1]
local raw = redis.call('GET', key)
if not raw then return 0 end
local mine = #ARGV[1] .. ':' .. ARGV[1]
local kind = string.sub(raw, 1, 1)
local rest = nil
local window = nil
if kind == 'c' then
  if string.sub(raw, 2, #mine + 1) ~= mine then return 0 end
  rest = string.sub(raw, #mine + 2)
elseif kind == 'r' then
  local w, after = string.match(raw, '^r(%d+):(.*)$')
  if not w or string.sub(after, 1, #mine) ~= mine then return 0 end
  window = tonumber(w)
  if redis.call('PTTL', key) <= window then return 0 end
  rest = string.sub(after, #mine + 1)
elseif kind ~= '{' then
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

/**
 * ARGV: token, leaseMs, mode, "1" when a fingerprint follows, fingerprint,
 * and optionally the retry window in ms ("0": none) and "1" for versions.
 * Answers claimed, reclaimed, duplicate or in_progress, followed by " <n>"
 * for a version n >= 1 when versions were asked for in latest mode.
 */
const CLAIM = `
local key = KEYS[1]
local token, lease, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local fp = nil
local body = #token .. ':' .. token
if ARGV[4] == '1' then
  fp = ARGV[5]
  body = body .. '=' .. fp
end
local window = tonumber(ARGV[6] or '0') or 0
if window < 0 then window = 0 end
local mine = 'c' .. body
if window > 0 then mine = 'r' .. string.format('%.0f', window) .. ':' .. body end
local hold = string.format('%.0f', lease + window)
if lease > 0 and redis.call('SET', key, mine, 'NX', 'PX', hold) then return 'claimed' end
local function answer(result, version)
  if ARGV[7] == '1' and mode == 'latest' and version > 0 then
    return result .. ' ' .. string.format('%.0f', version)
  end
  return result
end
local raw = redis.call('GET', key)
if not raw then return 'claimed' end
local kind = string.sub(raw, 1, 1)
if kind == 'c' then return 'in_progress' end
local function claimed(retried, version)
  if retried and window > 0 then return answer('reclaimed', version) end
  return answer('claimed', version)
end
if kind == 'r' then
  local w, count, after = string.match(raw, '^r(%d+):(%d+):(.*)$')
  if redis.call('PTTL', key) > tonumber(w) then return 'in_progress' end
  -- The lease ended (released or lapsed) within its window: a retry if the same version.
  local n = tonumber(count)
  local was = nil
  if #after > n then was = string.sub(after, n + 2) end
  local retried = mode == 'once' or was == fp
  redis.call('SET', key, mine, 'PX', hold)
  return claimed(retried, 0)
end
local df = nil
local dv = 0
if kind == 'd' then
  local n, f = string.match(raw, '^d(%d*)(.*)$')
  dv = tonumber(n) or 0
  if #f > 0 then df = string.sub(f, 2) end
  if mode == 'once' or df == fp then return answer('duplicate', dv) end
end
${HELPERS}
local now = clock()
local de
local retried = false
if kind == 'd' then
  de = now + redis.call('PTTL', key)
else
  local v = cjson.decode(raw)
  if v.ce > now then return 'in_progress' end
  local w = v.w or 0
  retried = w > 0 and now < v.ce + w and (mode == 'once' or v.cf == fp)
  de, df, dv = v.de, v.df, v.dv or 0
  if de > now and (mode == 'once' or df == fp) then return answer('duplicate', dv) end
end
if de <= now then
  put(mine, lease + window)
  return claimed(retried, 0)
end
local ce = now + lease
if ce <= now then
  put('d' .. vpart(dv) .. fpart(df), de - now)
else
  put(
    cjson.encode({ t = token, cf = fp, ce = ce, de = de, df = df, dv = dv, w = window }),
    math.max(ce + window, de) - now
  )
end
return claimed(retried, dv + 1)
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
put('d' .. vpart((v.dv or 0) + 1) .. fpart(v.cf), tonumber(ARGV[2]))
return 1
`;

/**
 * ARGV: token. The key goes back to its done state, or away; a tracked claim
 * stays for its window with its lease ended, as the marker of a retry.
 */
const RELEASE = `${READ_OWNED}
if rest then
  if window then
    redis.call('PEXPIRE', key, window)
  else
    redis.call('DEL', key)
  end
  return 1
end
${READ_BOTH}
local w = v.w or 0
if w > 0 then
  v.ce = now
  put(cjson.encode(v), math.max(now + w, v.de) - now)
else
  put('d' .. vpart(v.dv) .. fpart(v.df), v.de - now)
end
return 1
`;

/** ARGV: token, leaseMs. */
const RENEW = `${READ_OWNED}
local lease = tonumber(ARGV[2])
if rest then
  local hold = lease + (window or 0)
  if lease > 0 then
    redis.call('PEXPIRE', key, string.format('%.0f', hold))
  elseif window then
    redis.call('PEXPIRE', key, window)
  else
    redis.call('DEL', key)
  end
  return 1
end
${READ_BOTH}
v.ce = now + lease
put(cjson.encode(v), math.max(v.ce + (v.w or 0), v.de) - now)
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
