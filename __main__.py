"""golive: one program for every stack; the stack file decides what it builds."""

import pulumi

from stacks.config import load
from stacks.environment import build

environment = build(load())
for name, value in environment.exports().items():
    pulumi.export(name, value)
