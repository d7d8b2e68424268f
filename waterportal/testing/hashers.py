from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with small costs, so the suite hashes hundreds of passwords quickly.

    Same algorithm and format; the costs are stored in each hash, so production hashes
    still verify.
    """

    time_cost = 1
    memory_cost = 64
    parallelism = 1
