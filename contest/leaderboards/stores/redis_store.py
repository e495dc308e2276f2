"""The Redis leaderboard store (``REDIS_URL``): one sorted set per board, one hash of entries per family.

Keys, under a configurable prefix: ``{p}{family}:all`` and ``{p}{family}:u:{unit_id}`` (sorted sets of members,
see ``encoding``), ``{p}{family}:e`` (hash: entrant id -> ``"score member unit,unit,…"``, what an entrant's
rank and their replacement need), ``{p}meta:ready:{family}`` and ``{p}meta:lock:{family}``. Recording is one
Lua script (atomic, one round trip), loading a chunk of a rebuild one transaction ending in a script; the scripts
build the unit boards' key names themselves, so this is for a single Redis server, not a cluster. Scores stay
below 2^53, which Lua's and Redis's doubles hold exactly (the scripts compare them as numbers but write them back
as the strings they got).

The hash is the truth of who is placed: every script removes the member the hash names before placing another,
so an entrant has one member per board whatever order records, loads and clears arrive in.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

import redis

from contest.leaderboards.keys.encoding import Encoded, entrant_of
from contest.leaderboards.stores.interface import Placement, Ranked

# KEYS[1] entries hash; ARGV: board key prefix, entrant, score, member, replace (0/1), value, unit ids…
RECORD = """
local old = redis.call('HGET', KEYS[1], ARGV[2])
if old then
  local oscore, omember, ounits = string.match(old, '^(%d+) (%S+) ?(.*)$')
  local score = tonumber(ARGV[3])
  oscore = tonumber(oscore)
  if ARGV[5] == '0' and (oscore < score or (oscore == score and omember <= ARGV[4])) then
    return 0
  end
  redis.call('ZREM', ARGV[1] .. 'all', omember)
  for unit in string.gmatch(ounits, '%d+') do redis.call('ZREM', ARGV[1] .. 'u:' .. unit, omember) end
end
redis.call('ZADD', ARGV[1] .. 'all', ARGV[3], ARGV[4])
for i = 7, #ARGV do redis.call('ZADD', ARGV[1] .. 'u:' .. ARGV[i], ARGV[3], ARGV[4]) end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[6])
return 1
"""

# KEYS[1] entries hash; ARGV: mode, then pairs (entrant, value) -> the entrants whose entry stayed in mode 1 (see
# ``load``). It runs after the chunk's members went onto their boards blind, in bulk (after a clear nearly everyone
# is new), in the same transaction; then each entrant who already had an entry is settled: the loser's member
# leaves every board it is on and the winner's goes on every board of theirs, which also mends an entry a record
# wrote while ``clear`` was unlinking boards (on some boards, not others).
LOAD = """
local base = string.sub(KEYS[1], 1, -2)
local entrants, olds = {}, {}
for i = 2, #ARGV, 2 do entrants[#entrants + 1] = ARGV[i] end
for i = 1, #entrants, 7000 do  -- in slices Lua's unpack can take (8,000)
  local got = redis.call('HMGET', KEYS[1], unpack(entrants, i, math.min(i + 6999, #entrants)))
  for j = 1, #got do olds[i + j - 1] = got[j] end
end
for i = 2, #ARGV, 7000 do redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 6999, #ARGV))) end
local function boards(value, add)
  local score, member, units = string.match(value, '^(%d+) (%S+) ?(.*)$')
  local function one(board)
    if add then redis.call('ZADD', board, score, member) else redis.call('ZREM', board, member) end
  end
  one(base .. 'all')
  for unit in string.gmatch(units, '%d+') do one(base .. 'u:' .. unit) end
end
local kept = {}
for i, old in ipairs(olds) do
  if old then
    local new = ARGV[1 + 2 * i]
    local winner, loser = new, old
    if ARGV[1] == '1' then
      winner, loser = old, new
      kept[#kept + 1] = entrants[i]
    else
      local oscore, omember = string.match(old, '^(%d+) (%S+)')
      local nscore, nmember = string.match(new, '^(%d+) (%S+)')
      oscore, nscore = tonumber(oscore), tonumber(nscore)
      if oscore < nscore or (oscore == nscore and omember <= nmember) then winner, loser = old, new end
    end
    boards(loser, false)
    boards(winner, true)
    redis.call('HSET', KEYS[1], entrants[i], winner)
  end
end
return kept
"""

# KEYS[1] entries hash, KEYS[2] board; ARGV[1] entrant -> {rank0, score, member} or false
RANK = """
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then return false end
local score, member = string.match(entry, '^(%d+) (%S+)')
local rank = redis.call('ZRANK', KEYS[2], member)
if not rank then return false end
return {rank, score, member}
"""

REMOVE = """
local old = redis.call('HGET', KEYS[1], ARGV[2])
if not old then return 0 end
local _, omember, ounits = string.match(old, '^(%d+) (%S+) ?(.*)$')
redis.call('ZREM', ARGV[1] .. 'all', omember)
for unit in string.gmatch(ounits, '%d+') do redis.call('ZREM', ARGV[1] .. 'u:' .. unit, omember) end
redis.call('HDEL', KEYS[1], ARGV[2])
return 1
"""


def _command(name: str, keys: list[str], args: list[str]) -> bytes:
    """One command in the Redis protocol (RESP): ``name``, ``keys`` (any text), then ``args``, which are ASCII
    (numbers, hex members, unit lists, board names) so that their length in characters is their length in bytes."""
    head = [f"*{len(keys) + len(args) + 1}\r\n${len(name)}\r\n{name}\r\n".encode()]
    for key in keys:
        encoded = key.encode()
        head.append(b"$%d\r\n%s\r\n" % (len(encoded), encoded))
    return b"".join(head) + "".join(f"${len(arg)}\r\n{arg}\r\n" for arg in args).encode("ascii")


def _value(placement: Placement) -> str:
    return f"{placement.key.score} {placement.key.member} {','.join(map(str, placement.units))}"


class RedisStore:
    def __init__(self, client: redis.Redis, prefix: str = "olympiad:lb:", chunk: int = 5000) -> None:
        self.redis = client
        self.prefix = prefix
        self.chunk = chunk
        self._record = client.register_script(RECORD)
        self._rank = client.register_script(RANK)
        self._remove = client.register_script(REMOVE)

    @classmethod
    def from_url(cls, url: str, prefix: str = "olympiad:lb:") -> RedisStore:
        return cls(redis.Redis.from_url(url, decode_responses=True), prefix)

    def _base(self, family: str) -> str:
        return f"{self.prefix}{family}:"

    def _board(self, family: str, unit_id: int | None) -> str:
        return self._base(family) + ("all" if unit_id is None else f"u:{unit_id}")

    def _entries(self, family: str) -> str:
        return self._base(family) + "e"

    def record(self, family: str, placement: Placement, *, replace: bool = False) -> bool:
        args = [self._base(family), placement.entrant_id, placement.key.score, placement.key.member,
                int(replace), _value(placement), *placement.units]
        return bool(self._record(keys=[self._entries(family)], args=args))

    def remove(self, family: str, entrant_id: int) -> bool:
        return bool(self._remove(keys=[self._entries(family)], args=[self._base(family), entrant_id]))

    def top(self, family: str, unit_id: int | None, offset: int, limit: int) -> list[Ranked]:
        if limit <= 0:
            return []
        rows = self.redis.zrange(self._board(family, unit_id), offset, offset + limit - 1, withscores=True)
        return [Ranked(offset + n + 1, entrant_of(member), Encoded(int(score), member))
                for n, (member, score) in enumerate(rows)]

    def rank(self, family: str, unit_id: int | None, entrant_id: int) -> Ranked | None:
        found = self._rank(keys=[self._entries(family), self._board(family, unit_id)], args=[entrant_id])
        if not found:
            return None
        rank0, score, member = found
        return Ranked(int(rank0) + 1, entrant_id, Encoded(int(score), member))

    def around(self, family: str, unit_id: int | None, entrant_id: int, before: int, after: int) -> list[Ranked]:
        found = self.rank(family, unit_id, entrant_id)
        if found is None:
            return []
        start = max(0, found.rank - 1 - before)
        return self.top(family, unit_id, start, found.rank - start + after)

    def count(self, family: str, unit_id: int | None) -> int:
        return self.redis.zcard(self._board(family, unit_id))

    def load(self, family: str, placements: Iterable[Placement], *, kept: list[int] | None = None) -> int:
        """Per chunk one transaction, packed here and sent in one round trip: the members onto their boards in
        bulk (one ZADD per board), then the ``LOAD`` script. Atomic against records, so whichever comes second
        finds the other's entry; Redis serves nobody else meanwhile (tens of milliseconds for 5,000 placements
        on four boards each), which ``chunk`` trades against round trips and ZADDs (every chunk touches nearly
        every unit's board)."""
        sha = self.redis.script_load(LOAD)  # once per load: a restarted Redis has forgotten its scripts
        entries, mode = self._entries(family), "0" if kept is None else "1"
        total = 0
        items = iter(placements)
        while chunk := list(islice(items, self.chunk)):
            settle = [mode]
            boards: dict[int | None, list[str]] = {}
            for placement in chunk:
                settle += (str(placement.entrant_id), _value(placement))
                pair = (str(placement.key.score), placement.key.member)
                for unit_id in (None, *placement.units):
                    boards.setdefault(unit_id, []).extend(pair)
            commands = [_command("MULTI", [], [])]
            commands += [_command("ZADD", [self._board(family, unit_id)], members)
                         for unit_id, members in boards.items()]
            commands += [_command("EVALSHA", [sha, "1", entries], settle), _command("EXEC", [], [])]
            *_, done = self._send(commands)
            for reply in done:
                if isinstance(reply, Exception):
                    raise reply
            if kept is not None:
                kept.extend(map(int, done[-1]))
            total += len(chunk)
        return total

    def _send(self, commands: list[bytes]) -> list:
        """Pipeline pre-packed commands on one connection (redis-py's own packing costs more than Redis does)."""
        pool = self.redis.connection_pool
        connection = pool.get_connection()
        try:
            connection.send_packed_command([b"".join(commands)])
            return [connection.read_response() for _ in commands]
        except BaseException:
            connection.disconnect()  # replies may be left unread: never hand the connection on
            raise
        finally:
            pool.release(connection)

    def clear(self, family: str) -> None:
        """The entries first, then every board: a record landing meanwhile finds no entry and writes a new one,
        which names every board its member may still be on (some of them may be unlinked after it: ``LOAD``
        mends that), so no member is ever left on a board without the entry that names it."""
        entries = self._entries(family)
        self.redis.unlink(entries)
        keys = [key for key in self.redis.scan_iter(match=self._base(family) + "*", count=1000) if key != entries]
        for start in range(0, len(keys), 500):
            self.redis.unlink(*keys[start:start + 500])
        self.redis.delete(self._meta("ready", family))

    def copy(self, family: str, target: str) -> None:
        self.clear(target)
        base, new = self._base(family), self._base(target)
        pipe = self.redis.pipeline(transaction=False)
        for key in self.redis.scan_iter(match=base + "*", count=1000):
            pipe.copy(key, new + key[len(base):], replace=True)
        pipe.execute()

    def is_ready(self, family: str) -> bool:
        return bool(self.redis.exists(self._meta("ready", family)))

    def mark_ready(self, family: str) -> None:
        self.redis.set(self._meta("ready", family), "1")

    def try_lock(self, family: str, seconds: int) -> bool:
        return bool(self.redis.set(self._meta("lock", family), "1", nx=True, ex=seconds))

    def unlock(self, family: str) -> None:
        self.redis.delete(self._meta("lock", family))

    def _meta(self, kind: str, family: str) -> str:
        return f"{self.prefix}meta:{kind}:{family}"
