"""Checks Argon2id hashes with argon2-cffi, a peer this project did not write.

verify FILE NAME PASSWORD  exit 0 when the users file's hash of NAME matches PASSWORD (1 otherwise)
hash PASSWORD              print an Argon2id hash of PASSWORD made by argon2-cffi
"""
import sys

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError


def main():
    if sys.argv[1] == "verify":
        path, name, password = sys.argv[2:5]
        for line in open(path, encoding="utf-8"):
            fields = line.split()
            if len(fields) == 3 and fields[0] == name:
                try:
                    PasswordHasher().verify(fields[2], password)
                    print("match", fields[1])
                    return 0
                except VerifyMismatchError:
                    print("mismatch")
                    return 1
        print("no such user")
        return 1
    if sys.argv[1] == "hash":
        print(PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash(sys.argv[2]))
        return 0
    return 2


sys.exit(main())
