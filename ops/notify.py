"""Deploy notifications: a release or rollback started, succeeded, failed or rolled back.

Each says the stack, what was asked (release or rollback), the images, how long it took and the
CI run (or the machine) behind it, and goes to two places:

- a Slack-compatible incoming webhook, when `GOLIVE_NOTIFY_WEBHOOK` holds its URL (a secret in
  CI: the URL is the credential): a JSON `{"text": ...}` POST;
- the stack's alarm topic (`alarmTopicArn`), so whoever receives the alarms hears of deploys
  too. The message is per protocol (SNS `MessageStructure: json`): plain text for e-mail, and
  for HTTPS subscribers (AWS's chat integration, which subscribes over HTTPS) the custom
  notification format it renders (`{"version": "1.0", "source": "custom", "content": ...}`).

A notification that cannot be delivered is a warning: it never changes a release's outcome
or exit code.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

from ops import ui
from ops.aws import Aws
from ops.errors import ExitCode
from ops.lease import ci_run_url
from ops.outputs import StackOutputs
from ops.waiting import clock_text

WEBHOOK_ENV = "GOLIVE_NOTIFY_WEBHOOK"
WEBHOOK_TIMEOUT = 10.0
SUBJECT_MAX = 99
"""SNS: a subject is UTF-8 without line breaks, under 100 characters (Publish, botocore's sns
service model)."""

OUTCOMES: dict[int, str] = {
    ExitCode.OK: "succeeded",
    ExitCode.ROLLED_BACK: "rolled back",
    ExitCode.NOTHING_CHANGED: "failed before any change",
    ExitCode.INTERRUPTED: "interrupted",
}


def outcome_of(exit_code: int) -> str:
    """The word a notification uses for a command's exit code."""
    return OUTCOMES.get(exit_code, "failed")


@dataclass
class Notifier:
    aws: Aws
    outputs: StackOutputs
    action: str
    """`release` or `rollback`."""
    webhook_url: str | None = None
    started_at: float | None = field(default=None, init=False)

    @classmethod
    def for_command(cls, aws: Aws, outputs: StackOutputs, action: str) -> Notifier:
        return cls(aws, outputs, action, os.environ.get(WEBHOOK_ENV) or None)

    def _headline(self, event: str) -> str:
        return f"golive {self.action} {self.outputs.app}/{self.outputs.stack}: {event}"

    def _body(self, event: str, images: dict[str, str], detail: str) -> str:
        lines = [self._headline(event)]
        lines += [f"{name}: {image}" for name, image in images.items()]
        if self.started_at is not None and event != "started":
            lines.append(f"took {clock_text(self.aws.runtime.clock() - self.started_at)}")
        if detail:
            lines.append(detail)
        lines.append(f"run: {ci_run_url() or 'not in CI (' + self.aws.caller_arn() + ')'}")
        return "\n".join(lines)

    def started(self, images: dict[str, str]) -> None:
        self.started_at = self.aws.runtime.clock()
        self._send("started", images, "")

    def finished(self, exit_code: int, images: dict[str, str], detail: str = "") -> None:
        self._send(outcome_of(exit_code), images, detail)

    def _send(self, event: str, images: dict[str, str], detail: str) -> None:
        body = self._body(event, images, detail)
        if self.webhook_url:
            self._post(body)
        if self.outputs.alarm_topic_arn:
            self._publish(self.outputs.alarm_topic_arn, self._headline(event), body)

    def _post(self, body: str) -> None:
        request = urllib.request.Request(
            str(self.webhook_url),
            data=json.dumps({"text": body}).encode(),
            headers={"Content-Type": "application/json", "User-Agent": "golive"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT):
                return
        except urllib.error.HTTPError as exc:
            ui.warn(f"the deploy notification webhook answered HTTP {exc.code}")
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            ui.warn(f"could not reach the deploy notification webhook: {exc}")

    def _publish(self, topic: str, headline: str, body: str) -> None:
        subject = " ".join(headline.split())
        subject = subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 3] + "..."
        chat = {
            "version": "1.0",
            "source": "custom",
            "content": {"textType": "client-markdown", "title": headline, "description": body},
        }
        message = {"default": body, "email": body, "https": json.dumps(chat)}
        try:
            self.aws.client("sns").publish(
                TopicArn=topic,
                Subject=subject,
                Message=json.dumps(message),
                MessageStructure="json",
            )
        except (ClientError, BotoCoreError) as exc:
            ui.warn(f"could not publish the deploy notification to {topic}: {exc}")
