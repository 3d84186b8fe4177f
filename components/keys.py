"""The stack's customer-managed KMS key: one per stack and region.

Creates: a symmetric KMS key with automatic rotation and a 30-day deletion window, whose key
policy names every AWS service that must use it (CloudWatch Logs for encrypted log groups,
CloudWatch, EventBridge and AWS Budgets for the encrypted alarm topic), and an alias
`alias/golive/<app>-<stack>`. RDS, Secrets Manager, ElastiCache and SNS use it through the
IAM principals that call them (the account statement), scoped by `kms:ViaService` where they
act on a principal's behalf.

The key is kept on delete (`retain_on_delete`): database snapshots and retained secrets stay
decryptable after a teardown. Deleting it is a deliberate manual step (`aws kms
schedule-key-deletion`, 7-30 days).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import naming


@dataclass(frozen=True, kw_only=True)
class StackKeyArgs:
    account_id: str
    """The account that administers the key (its IAM policies grant use)."""
    region: str
    """The key's region; a key cannot be used from another region."""
    alias: str
    """Alias name without the `alias/` prefix, e.g. `golive/auction-prod`."""
    protect: bool = False
    """Refuse to delete or replace the key (prod)."""
    extra_service_principals: Sequence[str] = ()
    """More services allowed to use the key directly (beyond logs, CloudWatch, events, budgets)."""
    key_region: str | None = None
    """Create the key in another region than the stack's (us-east-1 for CloudFront alarms)."""


class StackKey(pulumi.ComponentResource):
    """A customer KMS key with rotation for one stack and region.

    Example::

        key = StackKey("auction-prod", StackKeyArgs(account_id=account, region="us-east-1",
                       alias="golive/auction-prod", protect=True))

    Cost: $1/month per key plus $0.03 per 10,000 requests.
    """

    arn: pulumi.Output[str]
    key_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: StackKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("golive:aws:StackKey", name, None, opts)
        region = args.key_region or args.region
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"golive {name}: database, secrets, logs and alarm topic",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=_key_policy(args.account_id, region, args.extra_service_principals),
            region=args.key_region,
            # Kept on delete so snapshots and retained secrets stay decryptable after a
            # teardown; protected on request so a stray replace cannot orphan encrypted data.
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True, protect=args.protect),
        )
        aws.kms.Alias(
            f"{name}-key-alias",
            name=naming.kms_alias(args.alias),
            target_key_id=self.key.key_id,
            region=args.key_region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.key.arn
        self.key_id = self.key.key_id
        self.register_outputs({"arn": self.arn, "keyId": self.key_id})


def _key_policy(account_id: str, region: str, extra: Sequence[str]) -> str:
    import json

    account_root = f"arn:aws:iam::{account_id}:root"
    statements: list[dict[str, Any]] = [
        {
            # The AWS default: the account administers the key and IAM policies grant use.
            # Without it the key could become unmanageable (KMS.3, lockout).
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": account_root},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "CloudWatchLogsEncryptsLogGroups",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": [
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": (
                        f"arn:aws:logs:{region}:{account_id}:log-group:*"
                    )
                }
            },
        },
        {
            # An SNS topic under a customer key receives alarms, budget alerts and events
            # only if these services may use the key (the AWS-managed aws/sns key cannot).
            "Sid": "AlarmPublishersUseTopicKey",
            "Effect": "Allow",
            "Principal": {
                "Service": [
                    "cloudwatch.amazonaws.com",
                    "budgets.amazonaws.com",
                    *extra,
                ]
            },
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        },
        {
            # NOTE: EventBridge's KMS calls for an encrypted SNS target carry no
            # aws:SourceAccount/aws:SourceArn (AWS: "not supported for EventBridge-to-encrypted
            # topics"); with that condition every event would be dropped silently. The topic
            # policy confines Publish to this stack's own rule (aws:SourceArn) instead.
            "Sid": "EventBridgeUsesTopicKey",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
        },
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
