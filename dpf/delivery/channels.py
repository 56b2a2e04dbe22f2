"""How a delivery goes out: mail over SMTP, the 企业微信 and 钉钉 group robots, or a folder (one file per delivery
and format). Each raises DeliveryFailed with the server's reason in Chinese — never a secret, a robot's URL (its
key is in it) or a password.

The robots' bodies are their documented markdown messages: 企业微信 {"msgtype": "markdown", "markdown":
{"content": …}}; 钉钉 {"msgtype": "markdown", "markdown": {"title": …, "text": …}}, with `timestamp` (ms) and
`sign` (HMAC-SHA256 of "timestamp\\nsecret" under the secret, base64, URL-encoded) added to the URL when the robot
has a 加签 secret. Both answer HTTP 200 with {"errcode": 0, …} when they took the message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from dpf import settings
from dpf.auth.private_json import write_private
from dpf.delivery.content import Rendered
from dpf.formatting import safe_filename

SMTP_TIMEOUT = 60
HTTP_TIMEOUT = 20
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


class DeliveryFailed(Exception):
    """One attempt failed; `reason` is Chinese and holds no secret."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def message_id(item_key: str) -> str:
    """The same Message-ID for every attempt at one item (a server or client that drops duplicates sees one)."""
    return f"<{hashlib.sha256(item_key.encode('utf-8')).hexdigest()[:32]}@dpf-dashboard>"


def mail_message(rendered: Rendered, sender: str, address: str, item_key: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = sender
    message["To"] = address
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id(item_key)
    message.set_content(rendered.mail_body())
    for attachment in rendered.attachments:
        main, sub = attachment.mime.split("/", 1)
        message.add_attachment(attachment.content, maintype=main, subtype=sub, filename=attachment.filename)
    return message


def send_email(rendered: Rendered, address: str, item_key: str, password: str) -> None:
    """Send over the SMTP server of the settings (DASHBOARD_SMTP_HOST and the settings after it): STARTTLS, TLS or plain, the server's
    certificate checked (against DASHBOARD_SMTP_CA_FILE when set), with a login when a user is set."""
    host = settings.SMTP_HOST.value()
    if not host:
        raise DeliveryFailed("未设置邮件服务器（DASHBOARD_SMTP_HOST），无法发送邮件。")
    security = settings.SMTP_SECURITY.given()
    port = settings.SMTP_PORT.value() or DEFAULT_PORTS[security]
    user = settings.SMTP_USER.value()
    sender = settings.SMTP_FROM.value() or user
    if not sender:
        raise DeliveryFailed("未设置发件人（DASHBOARD_SMTP_FROM 或 DASHBOARD_SMTP_USER）。")
    if user and not password:
        raise DeliveryFailed("已设置邮件登录名，但未设置密码（DASHBOARD_SMTP_PASSWORD）。")
    message = mail_message(rendered, sender, address, item_key)
    ca_file = settings.SMTP_CA_FILE.value()
    try:
        context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        if security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        with client:
            if security == "starttls":
                client.starttls(context=context)
            if user:
                client.login(user, password)
            client.send_message(message)
    except smtplib.SMTPResponseException as problem:
        text = problem.smtp_error.decode("utf-8", "replace") if isinstance(problem.smtp_error, bytes) else ""
        raise DeliveryFailed(f"邮件服务器拒绝：{problem.smtp_code} {text}".strip()) from None
    except smtplib.SMTPRecipientsRefused as problem:
        codes = "；".join(f"{code} {text.decode('utf-8', 'replace')}" for code, text in problem.recipients.values())
        raise DeliveryFailed(f"邮件服务器拒绝收件人：{codes}") from None
    except ssl.SSLError as problem:
        raise DeliveryFailed(f"与邮件服务器 {host}:{port} 的加密连接失败：{problem.reason or problem}") from None
    except smtplib.SMTPException as problem:
        raise DeliveryFailed(f"邮件服务器 {host}:{port} 未能发送：{problem}") from None
    except OSError as problem:
        raise DeliveryFailed(f"无法连接邮件服务器 {host}:{port}：{_os_reason(problem)}") from None


def _os_reason(problem: Exception) -> str:
    if isinstance(problem, OSError) and problem.strerror:
        return problem.strerror
    return str(problem) or type(problem).__name__


def wecom_body(rendered: Rendered) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": rendered.markdown()}}


def dingtalk_body(rendered: Rendered) -> dict:
    return {"msgtype": "markdown", "markdown": {"title": rendered.subject, "text": rendered.markdown()}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's 加签: base64 of HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def post_robot(url: str, body: dict, robot: str) -> None:
    """POST the JSON body; anything but HTTP 200 with errcode 0 is a failure with the robot's answer."""
    if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
        raise DeliveryFailed(f"{robot}机器人地址应以 https:// 开头（请检查保存地址的密钥）。")
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            answer = response.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as problem:
        detail = problem.read(300).decode("utf-8", "replace").strip()
        raise DeliveryFailed(f"{robot}机器人返回 HTTP {problem.code}{'：' + detail if detail else ''}") from None
    except (urllib.error.URLError, OSError) as problem:
        reason = problem.reason if isinstance(problem, urllib.error.URLError) else problem
        text = _os_reason(reason) if isinstance(reason, Exception) else str(reason)
        raise DeliveryFailed(f"无法连接{robot}机器人：{text}") from None
    try:
        parsed = json.loads(answer)
    except ValueError:
        raise DeliveryFailed(f"{robot}机器人的回答无法识别：{answer[:200]}") from None
    if not isinstance(parsed, dict) or parsed.get("errcode") != 0:
        message = parsed.get("errmsg", answer[:200]) if isinstance(parsed, dict) else answer[:200]
        code = parsed.get("errcode") if isinstance(parsed, dict) else None
        raise DeliveryFailed(f"{robot}机器人拒绝：{code} {message}")


def send_wecom(rendered: Rendered, url: str) -> None:
    post_robot(url, wecom_body(rendered), "企业微信")


def send_dingtalk(rendered: Rendered, url: str, secret: str, timestamp_ms: int) -> None:
    post_robot(signed_url(url, secret, timestamp_ms) if secret else url, dingtalk_body(rendered), "钉钉")


def write_folder(rendered: Rendered, folder: Path, stem: str) -> list[Path]:
    """One file per format (the text-only format as a .md file), named by the item; owner-only, atomic."""
    files = [(a.filename, a.content) for a in rendered.attachments]
    if not files or rendered.text:
        files.append((safe_filename(rendered.subject) + ".md", rendered.mail_body().encode("utf-8")))
    written = []
    try:
        for name, content in files:
            path = folder / f"{stem}_{name}"
            write_private(path, content)
            written.append(path)
    except OSError as problem:
        raise DeliveryFailed(f"无法写入文件夹 {folder}：{_os_reason(problem)}") from None
    return written
