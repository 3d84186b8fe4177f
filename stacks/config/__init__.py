"""The one typed, validated model of a golive stack file.

Only this package reads `pulumi.Config`. `load()` turns the stack's config (the `golive:` keys of
`Pulumi.yaml` defaults plus `Pulumi.<stack>.yaml`, and `aws:region`) into a frozen `StackConfig`,
or raises `ConfigError` listing **every** problem at once, each with its key path, the bad value
and what is allowed, before a single resource is declared.

Keys are camelCase in YAML and snake_case here. Environments differ only in these values: no
code anywhere branches on the stack's name.

One module per tier (`network`, `data`, `compute`, `edge`, `monitoring`, `release`, `ci`,
`policy`), each with its models, its `problems(cfg)` (rules across tiers) and `warnings(cfg)`;
`base` holds what they share and `stack` the whole stack file. The names below are the
package's interface.
"""

from stacks.config.base import NAMESPACE, ConfigError, Problem
from stacks.config.compute import CACHE_ENV, DATABASE_ENV, ServiceConfig
from stacks.config.compute_values import check_schedule_expression, ecr_repository_arn
from stacks.config.data import backup_before_release, secret_env_names
from stacks.config.monitoring import AlarmThresholds
from stacks.config.policy import DeclaredException, PolicyConfig
from stacks.config.stack import StackConfig, known_keys, load, parse, read_config_secrets
from stacks.config.windows import parse_window

__all__ = [
    "CACHE_ENV",
    "DATABASE_ENV",
    "NAMESPACE",
    "AlarmThresholds",
    "ConfigError",
    "DeclaredException",
    "PolicyConfig",
    "Problem",
    "ServiceConfig",
    "StackConfig",
    "backup_before_release",
    "check_schedule_expression",
    "ecr_repository_arn",
    "known_keys",
    "load",
    "parse",
    "parse_window",
    "read_config_secrets",
    "secret_env_names",
]
