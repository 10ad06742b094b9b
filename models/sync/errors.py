"""Why a sync package was refused. Codes are stable for tests; messages are what the clerk reads."""
from __future__ import annotations

from models.errors import DomainError

# Exact wording from the design note (sync-security.md §A.3.6); the {} parts are filled per case.
MESSAGES: dict[str, str] = {
    "not_a_package": "这不是同步包文件（文件头不符），未做改动",
    "too_large": "同步包文件过大（超过 2 GiB），已拒绝，未做改动",
    "malformed": "同步包文件已损坏或不完整，未做改动",
    "unsupported_suite": "同步包使用了本机不支持的加密方式，未做改动",
    "not_for_me": "此文件不是发给本机的",
    "unknown_sender": "未配对的发送方",
    "revoked_sender": "未配对的发送方（该工作站的配对已被撤销）",
    "bad_signature": "同步包签名校验失败：文件被篡改或损坏，未做改动",
    "already_imported": "此包已导入过，无变化",
    "stale": "过期的包，内容已包含在第 {newer_seq} 号包中，未做改动",
    "rewind": "包序号回退：对方的数据库可能是复制旧文件恢复的，未做改动。请先为对方导出一个同步包并由对方导入"
              "（对方程序会据此自动开始新的同步序列），再请对方重新导出同步包",
    "upgrade_needed": "请先将本机软件升级到 v{version}",
    "clock_skew": "对方电脑时钟比本机快约 {hours} 小时，未做改动。请核对两台电脑的时间；确认无误后可选择“仍然导入”",
    "policy_violation": "同步包中含有对方无权修改的内容（{entity}.{field}），已拒绝，未做改动",
    "bad_profile": "未知的数据范围：{name}",
    "bad_role": "未知的角色：{name}",
    "no_file": "找不到{what}：{path}",
    "not_a_file": "所选路径是文件夹，不是{what}：{path}",
    "unreadable": "无法读取{what}：{path}（{reason}）",
    "no_identity": "本机尚未生成同步身份：请在“同步”页点“设置本机同步身份”，或运行 peer export-id",
    "peer_not_found": "找不到配对的工作站：{name}",
    "bad_peer_file": "配对文件无效或已损坏",
    "peer_is_self": "这是本机自己的配对文件，不能添加为对方",
    "peer_key_changed": "该工作站已配对但密钥不同：如对方重新生成了身份，请先撤销旧配对再添加",
}


class PackageError(DomainError):
    """A package or peer file was refused; nothing was written to the database."""

    def __init__(self, code: str, **fields: object) -> None:
        super().__init__(code, MESSAGES[code].format(**fields), **fields)
