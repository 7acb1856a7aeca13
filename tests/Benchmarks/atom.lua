-- wrk script for formats.sh: each request asks for the Atom feed of the events up to a different day (drawn from
-- 1991-01-01 to 2029-12-31 with a seeded generator, BENCH_SEED), so that the response cache serves none of them and
-- every answer is written anew (the 50 most recently changed events up to that day).
local seed = tonumber(os.getenv("BENCH_SEED") or "1")
math.randomseed(seed)

local first = os.time({ year = 1991, month = 1, day = 1, hour = 12 })
local days = 39 * 365

request = function()
  local day = os.date("!%Y-%m-%d", first + math.random(0, days) * 86400)
  return wrk.format("GET", "/events/feed.atom?to=" .. day)
end
