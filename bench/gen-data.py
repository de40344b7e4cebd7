#!/usr/bin/env python3
"""Generates a mixed backup data set of about SIZE MiB in DIR, the same for every tool benchmarked.

About 30% many small text files (compressible), 55% large incompressible files, 15% near-duplicates of
a large file (a few bytes inserted in the middle): the cases bup-style deduplication is built for.
"""
import os
import random
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen-data.py DIR SIZE_MIB")
    root, size = sys.argv[1], int(sys.argv[2]) << 20
    rnd = random.Random(20261125)
    os.makedirs(root, exist_ok=True)
    words = [("".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9)))).encode()
             for _ in range(5000)]

    small_budget = size * 30 // 100
    n = 0
    while small_budget > 0:
        d = os.path.join(root, "docs", "d%03d" % (n // 200))
        os.makedirs(d, exist_ok=True)
        length = rnd.randint(200, 12000)
        text = b" ".join(rnd.choice(words) for _ in range(length // 6))[:length] + b"\n"
        with open(os.path.join(d, "note-%06d.txt" % n), "wb") as f:
            f.write(text)
        small_budget -= len(text)
        n += 1

    big_budget = size * 55 // 100
    bigs = []
    i = 0
    while big_budget > 0:
        length = min(big_budget, rnd.randint(8 << 20, 64 << 20))
        path = os.path.join(root, "images", "disk-%02d.img" % i)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            left = length
            while left > 0:
                chunk = min(left, 1 << 20)
                f.write(os.urandom(chunk))
                left -= chunk
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


if __name__ == "__main__":
    main()
