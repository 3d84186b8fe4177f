"""The offline plan: the real program run under mocks that answer like AWS, and what is read
from the recorded plan (the cost estimate, the comparison of two stacks, the configuration
reference). Nothing here is deployed: `stacks/` is what the program builds, `plan/` checks it.
"""
