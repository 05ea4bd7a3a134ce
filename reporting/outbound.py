"""The wire: one WeCom / DingTalk robot post and one email, each with its timeout, and the robots'
per-minute limiter — and how each outcome is told apart: delivered, certainly not delivered
(DeliveryError, RateLimited), or not known (UncertainDelivery). reporting.delivery decides what a
row becomes after each; nothing here touches the outbox (issue 16)."""

import hashlib
import http.client
import json
import logging
import smtplib
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection

from common.text import single_line
from roles import webhooks

log = logging.getLogger(__name__)

# Robot error codes that mean "too many messages, try later", not "this message is wrong".
ROBOT_RATE_LIMIT_CODES = {45009, 45033, 130101, 660026}


class DeliveryError(Exception):
    """The message was not delivered (refused, an error answer): safe to send again."""


class RateLimited(DeliveryError):
    """The robot refused for sending too fast: try again after a minute, not counted as an attempt."""


class UncertainDelivery(Exception):
    """The request left but no answer came (timeout, connection dropped): it may have arrived."""


def post_to_robot(url: str, text: str) -> None:
    """POST one text message to a WeCom / DingTalk group robot, with ROBOT_TIMEOUT_SECONDS.

    Returns when the robot accepted it (HTTP 2xx and `errcode` 0). Raises DeliveryError when it
    certainly did not arrive (no connection, HTTP error, non-zero errcode; RateLimited for the
    robot's rate-limit codes), UncertainDelivery when the request left but no answer came.
    This is the one place the portal posts to a robot.
    """
    try:
        webhooks.check_webhook_url(url)  # SSRF: the name is resolved again now, not trusted from save time
    except ValidationError as exc:
        raise DeliveryError(f"robot address refused: {' '.join(exc.messages)}") from exc
    # The text message both WeCom and DingTalk group robots accept.
    payload = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=payload, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        # urlopen wraps errors of connecting and sending the request in URLError; what goes wrong
        # while waiting for the answer (timeout, reset, a half answer) comes through unwrapped.
        with urllib.request.urlopen(request, timeout=settings.ROBOT_TIMEOUT_SECONDS) as response:  # noqa: S310 (the office sets these URLs)
            status, answer = response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"robot answered HTTP {exc.code}") from exc
    except urllib.error.URLError as exc:
        raise DeliveryError(f"robot not reached: {exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise UncertainDelivery(f"no answer from the robot: {type(exc).__name__}: {exc}") from exc
    if status >= 300:
        raise DeliveryError(f"robot answered HTTP {status}")
    try:
        body = json.loads(answer or b"{}")
    except ValueError:
        body = {}
    code = body.get("errcode", 0) if isinstance(body, dict) else 0
    if code not in (0, "0"):
        error = (RateLimited if code in ROBOT_RATE_LIMIT_CODES else DeliveryError)
        raise error(f"robot errcode {code}: {str(body.get('errmsg', ''))[:200]}")


def send_email(to: str, subject: str, body: str) -> None:
    """One email over the configured backend (send_message). A header is one line: a newline typed
    into a title must not make every email fail."""
    send_message(EmailMessage(single_line(subject), body, settings.DEFAULT_FROM_EMAIL, [to]))


def send_message(message: EmailMessage) -> None:
    """One email over the configured backend, with EMAIL_TIMEOUT on every SMTP command.
    DeliveryError: not sent (no connection, the server refused); UncertainDelivery: the server
    stopped answering once the message was under way."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"mail server not reached: {type(exc).__name__}: {exc}") from exc
    try:
        connection.send_messages([message])
    except smtplib.SMTPResponseException as exc:  # the server answered: it refused
        raise DeliveryError(f"mail server refused: {exc.smtp_code} {exc.smtp_error!r}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"mail server refused the recipient: {exc.recipients}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise UncertainDelivery(f"no answer from the mail server: {type(exc).__name__}: {exc}") from exc
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a dead connection must not change the outcome
            pass


def robot_slot(url: str) -> float:
    """0 when one more message may go to this robot now; else the seconds until the next minute.

    A fixed one-minute window counted in the cache, shared by every worker when the cache is Redis
    (production); with the local-memory cache of development it is per process, which is all one
    process needs. If the cache is unreachable the message goes (the robot's own error code and
    the retry are the second line)."""
    now = time.time()
    key = "robot-rate:%s:%d" % (hashlib.sha256(url.encode()).hexdigest()[:24], now // 60)
    try:
        cache.add(key, 0, timeout=120)
        count = cache.incr(key)
    except Exception:  # noqa: BLE001 - a cache outage must not stop delivery
        log.warning("robot rate limiter unavailable; sending without it", exc_info=True)
        return 0
    return 0 if count <= settings.ROBOT_MESSAGES_PER_MINUTE else 60 - now % 60 + 0.5
