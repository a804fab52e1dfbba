"""Historical windows of one price history, and their bootstrap tables, cached per history.

The ``_hist`` probabilities of :mod:`volscreen.probability` count the
overlapping windows of a history whose end (or path low/high) went beyond a
level.  Everything that depends only on the history, the horizon and the
bootstrap settings is computed once and kept:

* the windows of each horizon, and each window statistic sorted, so a count
  "beyond a level" is one binary search (:meth:`History.windows`);
* per (horizon, seed, replicates), the moving-block bootstrap as a table of
  cumulative window counts in sorted order (:class:`BootTable`), so the
  bootstrap sum of any "beyond the breakevens" hit series is two lookups
  per replicate instead of a gather over every drawn block.

Cache key (:func:`history`): a digest of the adjusted close/high/low values
and of the condition mask, so two frames with the same values share an
entry and a changed price or condition can never hit a stale one.  The last
:data:`HISTORY_CACHE_SIZE` histories are kept; bootstrap tables take
``replicates x windows`` int32 each and are kept within
:data:`BOOT_CACHE_BYTES` in all (least recently used dropped first).
"""
from __future__ import annotations

import hashlib
import sys
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from . import columns as C

HISTORY_CACHE_SIZE = 8
"""Histories whose windows are kept between calls (a screen reuses one per ticker)."""
BOOT_CACHE_BYTES = 256 * 2**20
"""Memory kept for bootstrap tables over all histories."""
BOOT_TABLE_AFTER = 2
"""Requests of one (history, horizon, bootstrap) served by the direct resampling
before its table is built: a table costs about ten direct evaluations, so it is
built once the history is seen to be reused (the third chain of a screen)."""


def adjusted(bars: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Close, high and low scaled by ``adj_close / close`` when ``adj_close`` is present."""
    close = bars[C.CLOSE].to_numpy(dtype=float)
    factor = (bars[C.ADJ_CLOSE].to_numpy(dtype=float) / close
              if C.ADJ_CLOSE in bars.columns else np.ones_like(close))
    return (close * factor, bars[C.HIGH].to_numpy(dtype=float) * factor,
            bars[C.LOW].to_numpy(dtype=float) * factor)


@lru_cache(maxsize=32)
def block_starts(seed: int, n_starts: int, size: int) -> np.ndarray:
    """``size`` block starts drawn uniformly from ``[0, n_starts)`` (seeded, read-only).

    Cached: the draws depend only on the seed and the shapes, so every chain
    screened against the same history reuses them.  NumPy draws bounds
    below 2**32 from the same 32-bit stream for either dtype, so the values
    are those of the int64 draw; they are mapped from the seed's raw stream
    (:func:`stream_draws`, int64), or, where that mapping is not NumPy's,
    drawn by the generator (as int32 when they fit: half the memory to fill).
    """
    if n_starts <= np.iinfo(np.int32).max and _stream_draws_match():
        starts = stream_draws(seed, n_starts, size)
    else:
        dtype = np.int32 if n_starts <= np.iinfo(np.int32).max else np.int64
        starts = np.random.default_rng(seed).integers(0, n_starts, size=size, dtype=dtype)
    starts.flags.writeable = False
    return starts


def stream_draws(seed: int, n_starts: int, size: int) -> np.ndarray:
    """``default_rng(seed).integers(0, n_starts, size, dtype=np.int32)`` from the raw stream.

    Every horizon draws from a generator seeded alike, so all of them read the
    same stream of 32-bit words (each 64-bit output low half first): it is
    generated once per seed (:func:`_raw_words`) and each bound only maps it.

    Notes
    -----
    NumPy's bounded 32-bit draw (Lemire's method): for a word ``w`` and
    ``m = w n_starts`` (64-bit), the draw is ``m >> 32`` unless the low 32
    bits of ``m`` are below ``(2**32 - n_starts) mod n_starts``, when ``w``
    is rejected and the next word is used.  :func:`_stream_draws_match`
    checks this against NumPy once per process.
    """
    threshold = (2**32 - n_starts) % n_starts
    out = np.empty(size, dtype=np.int32)
    words = _raw_words(int(seed), size + size // 1024 + 64)
    buf = np.empty(min(size, _CHUNK), dtype=np.uint64)
    done = read = 0
    while done < size:
        count = min(size - done, _CHUNK)
        if read + count > words.size:
            words = _raw_words(int(seed), 2 * (read + count) + 64)
        wide = buf[:count]
        np.multiply(words[read:read + count], np.uint64(n_starts), out=wide, dtype=np.uint64)
        read += count
        low = wide.view(np.uint32)[_LOW_HALF::2]  # the low 32 bits of each product
        if threshold and low.min() < threshold:  # drop the rejected words
            wide = wide[low >= threshold]
        wide >>= np.uint64(32)
        out[done:done + wide.size] = wide
        done += wide.size
    return out


_CHUNK = 1 << 15
"""Words mapped per pass: a buffer that stays in cache and is reused."""


_LOW_HALF = 0 if sys.byteorder == "little" else 1
"""Position of a uint64's low 32 bits among its two uint32 halves in memory."""


_RAW_WORDS: dict[int, np.ndarray] = {}
_RAW_WORDS_MAX = 4
"""Seeds whose raw word streams are kept (the screen uses one)."""


def _raw_words(seed: int, count: int) -> np.ndarray:
    """At least ``count`` of the 32-bit words ``default_rng(seed)`` draws, in order."""
    words = _RAW_WORDS.get(seed)
    if words is None or words.size < count:
        raw = np.random.default_rng(seed).bit_generator.random_raw((count + 1) // 2)
        if sys.byteorder == "little":  # low half first, as the generator hands them out
            words = raw.view(np.uint32)
        else:
            words = np.stack([raw & np.uint64(0xFFFFFFFF), raw >> np.uint64(32)],
                             axis=1).astype(np.uint32).ravel()
        words.flags.writeable = False
        if len(_RAW_WORDS) >= _RAW_WORDS_MAX:
            _RAW_WORDS.clear()
        _RAW_WORDS[seed] = words
    return words


@lru_cache(maxsize=1)
def _stream_draws_match() -> bool:
    """Whether :func:`stream_draws` gives NumPy's draws here (checked once per process).

    Bounds with many rejections included; a NumPy whose draws differ makes
    :func:`block_starts` draw through the generator itself.
    """
    try:
        for seed, n_starts, size in ((12345, 6496, 1000), (1, 3 * 2**29 + 1, 64)):
            want = np.random.default_rng(seed).integers(0, n_starts, size=size, dtype=np.int32)
            if not np.array_equal(stream_draws(seed, n_starts, size), want):
                return False
        return True
    finally:
        _RAW_WORDS.clear()


def bootstrap_shape(n: int, block: int) -> tuple[int, int]:
    """(block length, blocks per replicate) of the moving-block bootstrap of ``n`` windows."""
    block = max(1, min(int(block), n))
    return block, int(np.ceil(n / block))


class BootTable:
    """Moving-block bootstrap of one horizon's windows as cumulative counts in sorted order.

    ``cum[b, r]`` is how many times replicate ``b`` drew (inside its blocks)
    one of the ``r`` windows with the smallest ``end``; the bootstrap sum of
    the hits "end < lo or end > hi" is then
    ``cum[b, r_lo] + cum[b, n] - cum[b, max(r_hi, r_lo)]`` with the ranks of
    the two levels.  Counts are integers, so the sums equal the direct
    resampling's exactly.
    """

    def __init__(self, order: np.ndarray, block: int, n_boot: int, seed: int) -> None:
        n = order.size
        block, k = bootstrap_shape(n, block)
        n_starts = n - block + 1
        starts = block_starts(int(seed), n_starts, n_boot * k)
        replicate = np.repeat(np.arange(n_boot, dtype=np.int64) * n_starts, k)
        drawn = np.bincount(replicate + starts, minlength=n_boot * n_starts)
        prefix = np.zeros((n_boot, n_starts + 1), dtype=np.int32)  # draws of starts < column
        np.cumsum(drawn.reshape(n_boot, n_starts), axis=1, dtype=np.int32, out=prefix[:, 1:])
        # window w lies in the blocks starting at max(0, w - block + 1) .. min(w, n_starts - 1)
        cover = np.empty((n_boot, n), dtype=np.int32)
        cover[:, :n_starts] = prefix[:, 1:]
        cover[:, n_starts:] = prefix[:, -1:]
        cover[:, block - 1:] -= prefix[:, :n_starts]
        cum = np.zeros((n_boot, n + 1), dtype=np.int32)
        np.cumsum(cover[:, order], axis=1, dtype=np.int32, out=cum[:, 1:])
        # stored rank-major: the sums of one rank are one contiguous row of n_boot counts
        self.cum_by_rank = np.ascontiguousarray(cum.T)  # (n + 1, n_boot)
        self.scale = k * block
        self.nbytes = self.cum_by_rank.nbytes

    def sums(self, r_lo: np.ndarray, r_hi: np.ndarray) -> np.ndarray:
        """Replicate sums (n_boot, rows) of the hits below rank ``r_lo`` or from ``r_hi`` on."""
        # C order (n_boot, rows), as the direct resampling's: the SE reduction order
        # follows the layout
        return np.ascontiguousarray(self.sum_rows(r_lo, r_hi).T, dtype=float)

    def sum_rows(self, r_lo: np.ndarray, r_hi: np.ndarray) -> np.ndarray:
        """The sums of :meth:`sums` as int32 (rows, n_boot): one row of replicates per row."""
        cum = self.cum_by_rank
        sums = cum[r_lo]
        sums += cum[-1]
        sums -= cum[np.maximum(r_hi, r_lo)]
        return sums


class History:
    """Adjusted closes/highs/lows of one history and its windows per horizon.

    Path extremes come from the extremes over runs of 1, 2, 4, ... bars
    (each the extreme of two runs of half the length): a window of h bars
    is covered by two overlapping runs of the largest power of two not above
    h, so a set of horizons costs log2(max(h)) passes over the bars plus one
    per horizon, rather than one ``n x h`` sliding window each; maxima and
    minima are exact (and NaN wherever a bar of the window is NaN), so the
    windows are identical to a direct computation.
    """

    def __init__(self, close: np.ndarray, high: np.ndarray, low: np.ndarray,
                 condition: Any = None) -> None:
        self.close, self.high, self.low = close, high, low
        self.condition = None if condition is None else np.asarray(condition, dtype=bool)
        self._cache: dict[int, dict[str, np.ndarray]] = {}
        self._sorted: dict[int, dict[str, Any]] = {}
        self._requests: dict[tuple[int, int, int], int] = {}
        self._tables: dict[tuple[int, int, int], BootTable] = {}
        self._n_all: dict[int, int] = {}

    def windows(self, horizons: Any) -> dict[int, dict[str, np.ndarray]]:
        """``{h: windows of h sessions}`` for each horizon (cached); see ``hist_windows``."""
        wanted = sorted({int(h) for h in horizons} - set(self._cache))
        n_bars = self.close.size
        empty = {"end": np.empty(0), "low": np.empty(0), "high": np.empty(0)}
        valid = [h for h in wanted if 1 <= h < n_bars]
        for h in wanted:
            if h not in valid:
                self._cache[h] = empty
        if valid:
            # extremes over runs of 2**k bars after bar i (k = 0: the next bar), doubled
            highs, lows = [self.high[1:]], [self.low[1:]]
            while 2 * (span := 1 << (len(highs) - 1)) <= valid[-1]:
                highs.append(np.maximum(highs[-1][:-span], highs[-1][span:]))
                lows.append(np.minimum(lows[-1][:-span], lows[-1][span:]))
            for h in valid:  # two overlapping runs of 2**k bars cover bars i + 1 .. i + h
                k = h.bit_length() - 1
                shift, n = h - (1 << k), n_bars - h
                path_high = np.maximum(highs[k][:n], highs[k][shift:shift + n])
                path_low = np.minimum(lows[k][:n], lows[k][shift:shift + n])
                self._cache[h] = self._one(h, path_high, path_low)
        return {int(h): self._cache[int(h)] for h in horizons}

    def _one(self, h: int, path_high: np.ndarray, path_low: np.ndarray) -> dict[str, np.ndarray]:
        n = self.close.size - h
        start = self.close[:n]
        keep = np.isfinite(start) & np.isfinite(self.close[h:]) & (start > 0)
        self._n_all[h] = int(keep.sum())
        if self.condition is not None:
            keep &= self.condition[:n]
        with np.errstate(divide="ignore", invalid="ignore"):  # such windows are not kept
            out = {"end": self.close[h:] / start, "low": path_low / start,
                   "high": path_high / start}
        if self._n_all[h] < n or self.condition is not None:  # else every window is kept
            out = {k: v[keep] for k, v in out.items()}
        for arr in out.values():
            arr.flags.writeable = False  # shared between calls through the cache
        return out

    def n_all(self, h: int) -> int:
        """Number of windows of horizon ``h`` before the condition is applied."""
        self.windows((h,))
        return self._n_all.get(h, 0)

    def sorted_windows(self, h: int) -> dict[str, Any]:
        """Window statistics of horizon ``h`` sorted (NaN last), with the order of ``end``."""
        hit = self._sorted.get(h)
        if hit is None:
            w = self.windows((h,))[h]
            order = np.argsort(w["end"], kind="stable")
            hit = {"n": w["end"].size, "order": order, "end": w["end"][order],
                   "low": np.sort(w["low"]), "high": np.sort(w["high"]),
                   "high_finite": int(np.isfinite(w["high"]).sum())}
            self._sorted[h] = hit
        return hit

    def boot_table(self, h: int, n_boot: int, seed: int) -> BootTable | None:
        """The bootstrap table of horizon ``h`` once this history is reused (else None)."""
        key = (h, int(n_boot), int(seed))
        table = self._tables.get(key)
        if table is not None:
            _BOOT_LRU.move_to_end((id(self), key))
            return table
        seen = self._requests.get(key, 0)
        self._requests[key] = seen + 1
        if seen < BOOT_TABLE_AFTER:
            return None
        table = BootTable(self.sorted_windows(h)["order"], h, n_boot, seed)
        self._tables[key] = table
        _BOOT_LRU[(id(self), key)] = self  # the entry keeps ``self`` (and so its id) alive
        while sum(o._tables[k[1]].nbytes for k, o in _BOOT_LRU.items()) > BOOT_CACHE_BYTES \
                and len(_BOOT_LRU) > 1:
            (_, old_key), owner = _BOOT_LRU.popitem(last=False)
            del owner._tables[old_key]
        return table


_HISTORY_CACHE: OrderedDict[bytes, History] = OrderedDict()
_BOOT_LRU: OrderedDict[tuple[int, tuple[int, int, int]], History] = OrderedDict()
# id(frame) -> (copies of its price columns, condition, History): a lookup hint only,
# a hit needs equal values
_RECENT: OrderedDict[int, tuple[list[np.ndarray], np.ndarray | None, History]] = OrderedDict()


# id(frame) -> (frame, its History once known): frames their owner promised never to change
_PINNED: OrderedDict[int, tuple[pd.DataFrame, History | None]] = OrderedDict()


def pin(frame: pd.DataFrame) -> None:
    """Promise that ``frame`` is never changed, so :func:`history` can know it by identity.

    For frames private to their owner (the screen's bars cut at one quote
    date, see :func:`volscreen._screen_bars.bars_context`): :func:`history`
    then skips comparing their prices with a kept copy.  The entry keeps the
    frame alive, so its id cannot be reused by another frame; the last
    :data:`HISTORY_CACHE_SIZE` pinned frames are kept.
    """
    if id(frame) not in _PINNED:
        _PINNED[id(frame)] = (frame, None)
        while len(_PINNED) > HISTORY_CACHE_SIZE:
            _PINNED.popitem(last=False)


def clear_caches() -> None:
    """Forget every cached history, bootstrap table and block draw (benchmarks' cold runs)."""
    _HISTORY_CACHE.clear()
    _RECENT.clear()
    _PINNED.clear()
    for (_, key), owner in _BOOT_LRU.items():
        owner._tables.pop(key, None)
    _BOOT_LRU.clear()
    block_starts.cache_clear()
    _RAW_WORDS.clear()


def _raw_prices(bars: pd.DataFrame) -> list[np.ndarray]:
    """The float columns :func:`adjusted` reads (close, high, low, and adj_close if present)."""
    names = (C.CLOSE, C.HIGH, C.LOW) + ((C.ADJ_CLOSE,) if C.ADJ_CLOSE in bars.columns else ())
    return [bars[name].to_numpy(dtype=float) for name in names]


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(
        x.shape == y.shape and np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


def history(bars: pd.DataFrame, condition: Any) -> History:
    """The :class:`History` of ``bars``, shared between calls on identical prices.

    Keyed by a digest of the adjusted prices and the condition, so a frame
    with the same values reuses the windows (and nothing stale can be hit).
    A frame seen recently is recognised without the digest: its price
    columns and condition are compared in full with a copy kept from the
    last call (a frame changed in place is never mistaken for its old self);
    a :func:`pin`-ned frame without a condition is recognised by identity.
    """
    pinned = _PINNED.get(id(bars)) if condition is None else None
    if pinned is not None and pinned[0] is bars and pinned[1] is not None:
        _PINNED.move_to_end(id(bars))
        return pinned[1]
    raw = _raw_prices(bars)
    cond = None if condition is None else np.asarray(condition, dtype=bool)
    seen = _RECENT.get(id(bars))
    if seen is not None and _same(seen[0], raw) and (
            (cond is None and seen[1] is None)
            or (cond is not None and seen[1] is not None and _same([seen[1]], [cond]))):
        _RECENT.move_to_end(id(bars))
        if pinned is not None and pinned[0] is bars:
            _PINNED[id(bars)] = (bars, seen[2])
        return seen[2]
    close, high, low = adjusted(bars)
    digest = hashlib.blake2b(digest_size=16)
    for arr in (close, high, low):
        digest.update(np.ascontiguousarray(arr).tobytes())
    if cond is not None:
        digest.update(b"cond" + np.ascontiguousarray(cond).tobytes())
    key = digest.digest()
    hist = _HISTORY_CACHE.get(key)
    if hist is None:
        hist = History(close, high, low, condition)
        _HISTORY_CACHE[key] = hist
        while len(_HISTORY_CACHE) > HISTORY_CACHE_SIZE:
            _HISTORY_CACHE.popitem(last=False)
    else:
        _HISTORY_CACHE.move_to_end(key)
    if pinned is not None and pinned[0] is bars:
        _PINNED[id(bars)] = (bars, hist)
    _RECENT[id(bars)] = ([x.copy() for x in raw], None if cond is None else cond.copy(), hist)
    while len(_RECENT) > HISTORY_CACHE_SIZE:
        _RECENT.popitem(last=False)
    return hist
