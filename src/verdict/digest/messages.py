"""The digest's mails, as text and HTML (``email.message.EmailMessage``, multipart/alternative).

Every text from the content is escaped in the HTML part; links are absolute, built from the
site's public URL (``Settings.site_url``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from html import escape

from verdict.settings import MailSettings


@dataclass(frozen=True, slots=True)
class DigestEntry:
    title: str
    headline: str
    summary: str | None
    url: str
    published_at: datetime


def _message(settings: MailSettings, to: str, subject: str, text: str, html: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.sender.rsplit("@", 1)[-1].strip("> "))
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _page(body: str) -> str:
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8">'
        '<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">'
        f"{body}</body></html>"
    )


def confirmation(settings: MailSettings, to: str, confirm_url: str, hours: int) -> EmailMessage:
    text = (
        "Someone (hopefully you) asked for Verdict's weekly digest of AI tool comparisons at "
        f"this address.\n\nConfirm within {hours} hours:\n{confirm_url}\n\n"
        "If it was not you, ignore this mail: without confirmation the address is deleted."
    )
    html = _page(
        "<p>Someone (hopefully you) asked for Verdict's weekly digest of AI tool comparisons at "
        "this address.</p>"
        f'<p><a href="{escape(confirm_url)}">Confirm the subscription</a> '
        f"(within {hours} hours).</p>"
        "<p>If it was not you, ignore this mail: without confirmation the address is deleted.</p>"
    )
    return _message(settings, to, "Confirm your Verdict digest subscription", text, html)


def already_subscribed(settings: MailSettings, to: str, unsubscribe_url: str) -> EmailMessage:
    """Sent instead of a confirmation when the address is already subscribed, so the answer to
    ``subscribeToDigest`` (and whether a mail goes out) is the same either way."""
    text = (
        "Someone asked for Verdict's weekly digest at this address, which is already "
        f"subscribed: nothing changes.\n\nTo stop the digest:\n{unsubscribe_url}"
    )
    html = _page(
        "<p>Someone asked for Verdict's weekly digest at this address, which is already "
        "subscribed: nothing changes.</p>"
        f'<p><a href="{escape(unsubscribe_url)}">Unsubscribe</a></p>'
    )
    return _message(settings, to, "You already get the Verdict digest", text, html)


def digest(
    settings: MailSettings, to: str, entries: Sequence[DigestEntry], unsubscribe_url: str
) -> EmailMessage:
    count = len(entries)
    subject = f"Weekly AI Tool Verdicts: {count} new comparison{'s' if count != 1 else ''}"
    text_items = []
    html_items = []
    for entry in entries:
        lines = [entry.title, entry.headline]
        if entry.summary:
            lines.append(entry.summary)
        lines.append(entry.url)
        text_items.append("\n".join(lines))
        summary = f"<p>{escape(entry.summary)}</p>" if entry.summary else ""
        html_items.append(
            f'<h2><a href="{escape(entry.url)}">{escape(entry.title)}</a></h2>'
            f"<p>{escape(entry.headline)}</p>{summary}"
        )
    footer = "You get this because you confirmed Verdict's weekly digest."
    text = (
        "Weekly AI Tool Verdicts\n\n"
        + "\n\n".join(text_items)
        + f"\n\n--\n{footer}\nUnsubscribe (one click, no login): {unsubscribe_url}"
    )
    html = _page(
        "<h1>Weekly AI Tool Verdicts</h1>"
        + "".join(html_items)
        + f'<hr><p>{footer} <a href="{escape(unsubscribe_url)}">Unsubscribe</a></p>'
    )
    message = _message(settings, to, subject, text, html)
    # RFC 2369 and RFC 8058: mail clients offer their own one-click unsubscribe (a POST).
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message
