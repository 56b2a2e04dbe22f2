"""person_key and stable row ids: HMAC-SHA256 under the deployment's secret key."""

from __future__ import annotations

import hashlib
import hmac

from dpf import settings
from dpf.auth.secret_values import from_secrets_files

KEY_ENV = settings.SECRET_KEY.name
MIN_KEY_LENGTH = 16
ID_LENGTH = 20

KEY_HELP = (
    "未设置部署密钥，无法导入。请任选一种方式设置一个只有本单位知道的长随机字符串（至少16个字符），"
    "并妥善保管、不要更换（更换后同一人会得到不同的编号）：\n"
    f"  1. 环境变量：export {KEY_ENV}='……'\n"
    f'  2. 文件 .streamlit/secrets.toml 中写一行：{KEY_ENV} = "……"\n'
    '可用以下命令生成：python -c "import secrets; print(secrets.token_hex(32))"'
)


class MissingKeyError(RuntimeError):
    """No usable secret key; the message (KEY_HELP) says how to set one."""


def secret_key() -> bytes:
    """The key from $DASHBOARD_SECRET_KEY, else from .streamlit/secrets.toml; MissingKeyError otherwise."""
    value = settings.SECRET_KEY.value() or from_secrets_files(KEY_ENV, "secret_key")
    if not value:
        raise MissingKeyError(KEY_HELP)
    if len(value) < MIN_KEY_LENGTH:
        raise MissingKeyError(f"部署密钥太短（{len(value)} 个字符，至少需要 {MIN_KEY_LENGTH} 个）。\n" + KEY_HELP)
    return value.encode("utf-8")


def person_key(key: bytes, certificate: str) -> str:
    """The contract's person_key: lowercase hex HMAC-SHA256 of the 20-character 证号."""
    return hmac.new(key, certificate.encode("ascii"), hashlib.sha256).hexdigest()


def stable_id(key: bytes, *parts: object) -> str:
    """A short id that is the same whenever the same source row is imported again."""
    message = "|".join("" if p is None else str(p) for p in parts)
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()[:ID_LENGTH]
