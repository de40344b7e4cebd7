#!/usr/bin/env python3
"""Generates a mixed backup data set of about SIZE MiB in DIR, the same for every tool benchmarked.

    gen-data.py DIR SIZE_MIB            create the data set (DIR must not hold an older one)
    gen-data.py --change DIR SIZE_MIB   apply the "2% change" to a data set made with the same SIZE_MIB

About 30% small text files (compressible; 200 bytes to 32 KB, about 20,000 files per GiB in directories of
200), 55% large incompressible files (8-64 MiB), 15% near-duplicates of a large file (a few bytes inserted in
the middle): the cases bup-style deduplication is built for.

Everything comes from a seeded generator, so two runs with the same SIZE_MIB give byte-identical trees
(file times aside). The change is deterministic as well: about 1% of the data set's bytes go to small
files (some appended to, some edited in the middle, a few new ones) and about 1% to large files (a few
bytes inserted at a few places, plus a rewritten region), so every tool sees the same 2% change.
"""
import os
import random
import sys

SEED = 20261125


def words_of(rnd):
    return [("".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9)))).encode()
            for _ in range(5000)]


def text(rnd, words, length):
    # Average word plus space is about 6.5 bytes; draw a few more words than needed and cut.
    return b" ".join(rnd.choices(words, k=length // 5 + 1))[:length] + b"\n"


def write_random(f, rnd, length):
    left = length
    while left > 0:
        chunk = min(left, 1 << 20)
        f.write(rnd.randbytes(chunk))
        left -= chunk


def generate(root, size):
    rnd = random.Random(SEED)
    os.makedirs(root, exist_ok=True)
    words = words_of(rnd)

    small_budget = size * 30 // 100
    n = 0
    while small_budget > 0:
        d = os.path.join(root, "docs", "d%03d" % (n // 200))
        os.makedirs(d, exist_ok=True)
        data = text(rnd, words, rnd.randint(200, 32000))
        with open(os.path.join(d, "note-%06d.txt" % n), "wb") as f:
            f.write(data)
        small_budget -= len(data)
        n += 1

    big_budget = size * 55 // 100
    bigs = []
    i = 0
    while big_budget > 0:
        length = min(big_budget, rnd.randint(8 << 20, 64 << 20))
        path = os.path.join(root, "images", "disk-%02d.img" % i)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            write_random(f, rnd, length)
        bigs.append(path)
        big_budget -= length
        i += 1

    near_budget = size * 15 // 100
    j = 0
    while near_budget > 0 and bigs:
        src = bigs[j % len(bigs)]
        with open(src, "rb") as f:
            data = f.read()
        mid = len(data) // 2
        dup = data[:mid] + b"EDITED" + data[mid:]
        with open(os.path.join(root, "images", "copy-%02d.img" % j), "wb") as f:
            f.write(dup)
        near_budget -= len(dup)
        j += 1
    print("generated %d small files, %d large files, %d near-duplicates in %s" % (n, len(bigs), j, root))


def change(root, size):
    """The same ~2% change every time: ~1% of the bytes in small files, ~1% in large ones."""
    rnd = random.Random(SEED + 1)
    words = words_of(random.Random(SEED))
    docs = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(root, "docs")) for f in fs)
    bigs = sorted(os.path.join(root, "images", f) for f in os.listdir(os.path.join(root, "images"))
                  if f.startswith("disk-"))
    changed_small = 0
    budget = size // 100
    appended = edited = created = 0
    while budget > 0 and docs:
        path = docs[rnd.randrange(len(docs))]
        kind = rnd.randrange(10)
        if kind < 5:
            add = text(rnd, words, rnd.randint(100, 4000))
            with open(path, "ab") as f:
                f.write(add)
            appended += 1
        elif kind < 9:
            with open(path, "rb") as f:
                data = f.read()
            at = rnd.randrange(len(data) + 1)
            add = text(rnd, words, rnd.randint(100, 4000))
            with open(path, "wb") as f:
                f.write(data[:at] + add + data[at + len(add) // 2:])
            edited += 1
        else:
            add = text(rnd, words, rnd.randint(200, 32000))
            with open(os.path.join(os.path.dirname(path), "new-%06d.txt" % created), "wb") as f:
                f.write(add)
            created += 1
        budget -= len(add)
        changed_small += len(add)

    budget = size // 100
    touched = 0
    for path in bigs[:3]:
        with open(path, "rb") as f:
            data = bytearray(f.read())
        for _ in range(3):   # a few bytes inserted at a few places
            at = rnd.randrange(len(data) + 1)
            data[at:at] = b"INSERTED"
        region = min(budget // 3 + 1, len(data))   # and a region rewritten
        at = rnd.randrange(len(data) - region + 1)
        data[at:at + region] = rnd.randbytes(region)
        with open(path, "wb") as f:
            f.write(data)
        touched += region + 24
    print("changed %d small files (%d appended, %d edited, %d new; %d bytes) and %d large files (%d bytes)"
          % (appended + edited + created, appended, edited, created, changed_small, min(3, len(bigs)), touched))


def main():
    args = sys.argv[1:]
    mode = generate
    if args and args[0] == "--change":
        mode = change
        args = args[1:]
    if len(args) != 2:
        sys.exit("usage: gen-data.py [--change] DIR SIZE_MIB")
    mode(args[0], int(args[1]) << 20)


if __name__ == "__main__":
    main()
