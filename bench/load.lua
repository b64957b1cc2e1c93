-- wrk: each request takes a path at random from the file named by $PATHS
-- (one per line), so that a run reads many articles rather than one.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do
    paths[#paths + 1] = line
end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))

request = function()
    return wrk.format("GET", paths[math.random(#paths)])
end
