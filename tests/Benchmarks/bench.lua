-- wrk script for tests/Benchmarks/run.sh: one query of the benchmark in one regime.
--
-- Configured by environment variables (wrk runs this file once per thread, each in its own Lua state):
--   BENCH_PARAMS  directory of parameter lists written by params.py from the store under test
--                 (entities.txt, events.txt, words.txt, categories.txt, meta.txt: one value a line)
--   BENCH_QUERY   newest | year-category | entity | search | search-relevance | event | facets | csv-year
--                 or a hostile query (h-...: the costliest anonymous requests the API's bounds allow, below)
--   BENCH_REGIME  hot   (the same URL again and again: wrk sends one pre-built request)
--                 mixed (every request draws its parameters at random from thousands of values)
--                 hostile (a hostile query's draws: like mixed, each URL drawn anew so no cache serves it)
--   BENCH_CHECK   1: also tally the status of every response and keep the first non-200 paths
--                 (run.sh does this in a short one-connection pass before each measurement, so that
--                 the measured runs carry no per-response Lua cost)
--   BENCH_SEED    seeds the random draws (each thread adds its number), so runs are repeatable
--
-- done() prints one line "BENCH_RESULT {json}" that run.sh and report.py read.

local dir = os.getenv("BENCH_PARAMS") or error("BENCH_PARAMS is not set")
local query = os.getenv("BENCH_QUERY") or error("BENCH_QUERY is not set")
local regime = os.getenv("BENCH_REGIME") or "hot"
local check = os.getenv("BENCH_CHECK") == "1"
local seed = tonumber(os.getenv("BENCH_SEED") or "42") or 42

local function lines(name)
  local list = {}
  local file = io.open(dir .. "/" .. name, "r")
  if file == nil then error("missing parameter list " .. dir .. "/" .. name) end
  for line in file:lines() do
    if line ~= "" then list[#list + 1] = line end
  end
  file:close()
  return list
end

local meta = {}
for _, line in ipairs(lines("meta.txt")) do
  local key, value = line:match("^([^=]+)=(.*)$")
  if key then meta[key] = value end
end

local entities = lines("entities.txt")      -- entity ids that have events, most events first
-- A long list kept as one string of fixed-width records instead of a table of strings. A million live strings in a
-- Lua state stalled its wrk thread now and then for tens of milliseconds (LuaJIT's collector marks and sweeps every one
-- of them, and its string table, which interns every string, each request's new URL among them, is resized over them;
-- stopping the collector did not remove the stalls), and wrk counted each stall in the latency of every response that
-- arrived meanwhile. Against a bare Kestrel answering a 404 at once, the mixed draws of one event gave a p99 of 4-38 ms
-- and a maximum of 92-162 ms (the hot URL: 1.5-1.7 ms and 5-13 ms); packed, 1.9-3.1 ms and 15-19 ms. One string is a
-- single object to the collector and one entry of the string table, however long.
local function packed_lines(name)
  local list = lines(name)
  local width = 0
  for i = 1, #list do
    if #list[i] > width then width = #list[i] end
  end
  for i = 1, #list do
    list[i] = list[i] .. string.rep(" ", width - #list[i])
  end
  if #list == 0 then error("the parameter list " .. dir .. "/" .. name .. " is empty") end
  local packed = { count = #list, width = width, records = table.concat(list) }
  list = nil
  collectgarbage("collect")
  return packed
end

local function record(packed, i)
  local value = packed.records:sub((i - 1) * packed.width + 1, i * packed.width)
  if value:byte(-1) == 32 then value = value:match("^(.-) *$") end
  return value
end

-- event ids (every one, up to 1,000,000, spread over the store), read only where they are drawn
local events = (query == "event" and regime == "mixed") and packed_lines("events.txt") or { count = 0, width = 0, records = "" }
local words = lines("words.txt")            -- words found in ~0.5-2% of events (from the store's FTS vocabulary)
local categories = lines("categories.txt")
local ymin = tonumber(meta.year_min or "1990")
local ymax = tonumber(meta.year_max or "2030")
local marker = meta.marker or "lithography"
local hot_year = meta.hot_year or "2020"
local hot_category = meta.hot_category or categories[1]
local hot_entity = meta.hot_entity or entities[1]
local hot_event = meta.hot_event or error("meta.txt names no hot_event")
if #words == 0 then words = { marker } end
local hostile_query = query:sub(1, 2) == "h-"
-- The hostile regime's lists (params.py): dense prefix sets, common words joined by OR, tags, sources.
local prefix_sets = hostile_query and lines("prefix_sets.txt") or {}
local rank_prefix_sets = hostile_query and lines("rank_prefix_sets.txt") or {}
local rank_sets = hostile_query and lines("rank_sets.txt") or {}
local search_sets = hostile_query and lines("search_sets.txt") or {}
local facet_sets = hostile_query and lines("facet_sets.txt") or {}
local filtered_sets = hostile_query and lines("filtered_sets.txt") or {}
local tags = hostile_query and lines("tags.txt") or {}
local sources = hostile_query and lines("sources.txt") or {}
local top_word = meta.top_word or marker
if #entities == 0 then error("entities.txt lists no entity") end

local random = math.random
local function pick(list) return list[random(#list)] end

-- Calendar days of the dataset's years, numbered from 0 (noon, so that no time zone or DST moves a day).
local first_noon = os.time({ year = ymin, month = 1, day = 1, hour = 12 })
local days = math.floor((os.time({ year = ymax, month = 12, day = 31, hour = 12 }) - first_noon) / 86400 + 0.5) + 1
if days < 1500 then error("the dataset's years " .. ymin .. "-" .. ymax .. " are too few for the mixed draws") end
local function date_of(n) return os.date("!%Y-%m-%d", first_noon + n * 86400) end

-- About a year: 335 to 395 days starting on any day (from=2012-03-05&to=2013-02-27).
local function year_window()
  local start = random(0, days - 396)
  return "from=" .. date_of(start) .. "&to=" .. date_of(start + 364 + random(-30, 30))
end
local windows = (days - 395) * 61

-- Nearly the whole timeline: from a day of its first two years to a day of its last two. The span keeps
-- almost every match (so a request costs what the query without dates costs) while multiplying the
-- number of distinct URLs by about 530,000, far more than a run's requests.
local function wide_span()
  return "from=" .. date_of(random(0, 729)) .. "&to=" .. date_of(random(days - 730, days - 1))
end
local spans = 730 * 730

local function order(ascending, descending) return random(2) == 1 and ascending or descending end

local function escape(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- Every kind of facet at once.
local all_facets = "facet=category&facet=year&facet=entity&facet=tag"

-- Each query: the hot URL, the mixed draw, and how many distinct mixed URLs the draw can make.
local queries = {
  ["newest"] = {
    hot = "/events?sort=-date&limit=50",
    -- the newest 50 up to a random day (a keyset seek anywhere in the timeline)
    mixed = function()
      return "/events?sort=-date&limit=50&from=" .. date_of(random(0, 729)) .. "&to=" .. date_of(random(730, days - 1))
    end,
    values = 730 * (days - 730),
  },
  ["year-category"] = {
    hot = "/events?from=" .. hot_year .. "&to=" .. hot_year .. "&category=" .. hot_category .. "&limit=50",
    mixed = function()
      return "/events?" .. year_window() .. "&category=" .. pick(categories) .. "&sort=" .. order("date", "-date") .. "&limit=50"
    end,
    values = windows * #categories * 2,
  },
  ["entity"] = {
    hot = "/events?entity=" .. hot_entity .. "&limit=50",
    mixed = function()
      return "/events?entity=" .. pick(entities) .. "&" .. wide_span() .. "&sort=" .. order("date", "-date") .. "&limit=50"
    end,
    values = #entities * spans * 2,
  },
  ["search"] = {
    hot = "/events?q=" .. marker .. "&limit=20",
    mixed = function()
      return "/events?q=" .. pick(words) .. "&" .. wide_span() .. "&sort=" .. order("date", "-date") .. "&limit=20"
    end,
    values = #words * spans * 2,
  },
  ["search-relevance"] = {
    hot = "/events?q=" .. marker .. "&sort=relevance&limit=20",
    mixed = function() return "/events?q=" .. pick(words) .. "&" .. wide_span() .. "&sort=relevance&limit=20" end,
    values = #words * spans,
  },
  ["event"] = {
    hot = "/events/" .. hot_event,
    mixed = function() return "/events/" .. record(events, random(events.count)) end,
    values = events.count,
  },
  ["facets"] = {
    hot = "/events/facets?facet=category&facet=year&from=" .. hot_year .. "&to=" .. hot_year,
    mixed = function() return "/events/facets?facet=category&facet=year&" .. year_window() end,
    values = windows,
  },
  ["csv-year"] = {
    hot = "/events.csv?from=" .. hot_year .. "&to=" .. hot_year,
    mixed = function() return "/events.csv?" .. year_window() end,
    values = windows,
  },
  -- The hostile regime: the costliest anonymous requests the bounds still allow (Search/SearchBudget.cs, README's
  -- Search syntax), each URL drawn anew (a wide span, a random set) so that the response cache serves none of them.
  ["h-prefixes"] = {
    -- 1-4 dense prefixes of three letters, read in full (4 x their entries just under the read bound), date order
    hot = "/events?limit=50&q=" .. escape(prefix_sets[1] or "lit*"),
    hostile = function()
      return "/events?limit=50&q=" .. escape(pick(prefix_sets)) .. "&" .. wide_span() .. "&sort=" .. order("date", "-date")
    end,
  },
  ["h-prefixes-rank"] = {
    -- dense prefixes up to a ranked search's read bound and a word, ranked by relevance (the word keeps the matches
    -- under the ranking bound)
    hot = "/events?sort=relevance&limit=50&q=" .. escape((rank_prefix_sets[1] or "lit*") .. " " .. words[1]),
    hostile = function()
      return "/events?sort=relevance&limit=50&q=" .. escape(pick(rank_prefix_sets) .. " " .. pick(words)) .. "&" .. wide_span()
    end,
  },
  ["h-common-rank"] = {
    -- common words joined by OR, ranked: as many matches as the ranking bound allows
    hot = "/events?sort=relevance&limit=50&q=" .. escape(rank_sets[1] or marker),
    hostile = function()
      return "/events?sort=relevance&limit=50&q=" .. escape(pick(rank_sets)) .. "&" .. wide_span()
    end,
  },
  ["h-search"] = {
    -- the same across events, entities and sources (within GET /search's half of the ranking bound)
    hot = "/search?limit=50&q=" .. escape(search_sets[1] or marker),
    hostile = function() return "/search?limit=50&q=" .. escape(pick(search_sets)) .. "&" .. wide_span() end,
  },
  ["h-not"] = {
    -- the commonest word without itself: every entry of it read twice, nothing found
    hot = "/events?limit=200&q=" .. escape(top_word .. " NOT " .. top_word),
    hostile = function()
      return "/events?limit=200&q=" .. escape(top_word .. " NOT " .. top_word) .. "&" .. wide_span() .. "&sort=" .. order("date", "-date")
    end,
  },
  ["h-search-filtered"] = {
    -- common words under a tag no event carries: every match checked (as many as the bound allows)
    hot = "/events?limit=200&tag=no-such-tag&q=" .. escape(filtered_sets[1] or marker),
    hostile = function()
      return "/events?limit=200&tag=no-such-tag-" .. random(1000000) .. "&q=" .. escape(pick(filtered_sets)) .. "&" .. wide_span()
    end,
  },
  ["h-facets-all"] = {
    -- every facet, unfiltered, up to 500 values each, the facets in any order (12,000 URLs, so few repeat)
    hot = "/events/facets?" .. all_facets .. "&facetLimit=500",
    hostile = function()
      local names = { "category", "year", "entity", "tag" }
      for i = #names, 2, -1 do local j = random(i); names[i], names[j] = names[j], names[i] end
      return "/events/facets?facet=" .. table.concat(names, "&facet=") .. "&facetLimit=" .. random(1, 500)
    end,
  },
  ["h-facets-deep"] = {
    -- every facet under deep filters: tags, categories, entities, a source, over a wide span
    hot = "/events/facets?" .. all_facets .. "&facetLimit=500&tag=" .. (tags[1] or "t") .. "&category=" .. categories[1],
    hostile = function()
      local filters = ({
        function() return "&tag=" .. pick(tags) .. "&tag=" .. pick(tags) .. "&category=" .. pick(categories) end,
        function() return "&entity=" .. pick(entities) .. "&entity=" .. pick(entities) .. "&tag=" .. pick(tags) end,
        function() return "&source=" .. pick(sources) .. "&category=" .. pick(categories) end,
        function() return "&tag=no-such-tag-" .. random(1000000) end,
      })[random(4)]()
      return "/events/facets?" .. all_facets .. "&facetLimit=500" .. filters .. "&" .. wide_span()
    end,
  },
  ["h-facets-search"] = {
    -- every facet over a search with as many matches as the facets' bound allows
    hot = "/events/facets?" .. all_facets .. "&facetLimit=500&q=" .. escape(facet_sets[1] or marker),
    hostile = function() return "/events/facets?" .. all_facets .. "&facetLimit=500&q=" .. escape(pick(facet_sets)) .. "&" .. wide_span() end,
  },
  ["h-lists-deep"] = {
    -- lists whose filters match few or no events: an unknown tag, a source and a category, two entities and a tag
    hot = "/events?limit=200&sort=-date&tag=no-such-tag",
    hostile = function()
      local filters = ({
        function() return "tag=no-such-tag-" .. random(1000000) end,
        function() return "source=" .. pick(sources) .. "&category=" .. pick(categories) end,
        function() return "entity=" .. pick(entities) .. "&entity=" .. pick(entities) .. "&tag=" .. pick(tags) .. "&category=" .. pick(categories) end,
        function() return "tag=" .. pick(tags) .. "&category=" .. pick(categories) .. "&entity=" .. pick(entities) end,
      })[random(4)]()
      return "/events?limit=200&" .. filters .. "&" .. wide_span() .. "&sort=" .. order("date", "-date")
    end,
  },
}

local q = queries[query] or error("unknown BENCH_QUERY '" .. query .. "'")
if regime ~= "hot" and regime ~= "mixed" and regime ~= "hostile" then error("unknown BENCH_REGIME '" .. regime .. "'") end
if regime == "hostile" then
  if not q.hostile then error("BENCH_QUERY '" .. query .. "' has no hostile regime") end
  q.mixed, q.values = q.hostile, 0
elseif hostile_query and regime == "mixed" then
  error("the hostile queries run in the hostile regime (or hot)")
end

last_path = q.hot
statuses = {}
failures = {}

if regime == "hot" then
  wrk.path = q.hot                         -- static: wrk formats the request once
else
  function request()
    last_path = q.mixed()
    return wrk.format("GET", last_path)
  end
end

if check then
  -- Only used with one connection, so the response answers the request made just before it.
  function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    if status ~= 200 and #failures < 5 then
      failures[#failures + 1] = status .. " " .. last_path
    end
  end
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_number", #threads)
end

function init(args)
  math.randomseed(seed * 1000 + (thread_number or 0))
end

local function json_string(s)
  return '"' .. tostring(s):gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
  local codes, failed = {}, {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      codes[#codes + 1] = string.format('"%d":%d', status, count)
    end
    for _, failure in ipairs(thread:get("failures") or {}) do failed[#failed + 1] = json_string(failure) end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_RESULT {"query":%s,"regime":%s,"path":%s,"hot_path":%s,"values":%d,"requests":%d,"duration_us":%d,"rps":%.2f,' ..
    '"bytes":%d,"latency_us":{"mean":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"statuses":{%s},"failures":[%s]}\n',
    json_string(query), json_string(regime), json_string(regime == "hot" and q.hot or "(random)"), json_string(q.hot),
    regime == "hot" and 1 or q.values, summary.requests, summary.duration,
    seconds > 0 and summary.requests / seconds or 0, summary.bytes,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(codes, ","), table.concat(failed, ",")))
end
