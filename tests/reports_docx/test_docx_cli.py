"""Word output through the service and the `pdf` CLI, the 通报's 文号/抄送 and as-of counting, and
every error path: one Chinese line, exit code != 0, no partial file."""
from __future__ import annotations

import datetime as dt
import errno
import io
import zipfile

import docx
import pytest

from cli import main as cli_main
from models.services import documents
from models.services.suggestions import draft_suggestion, issue, mark_served
from models.settings import set_setting
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def records(new_db, monkeypatch, user_data_dir):
    with new_db.session_scope() as session:
        first = draft_suggestion(session, "宿州市生态环境局", origin="本院在履行职责中发现……。",
                                 facts="经调查查明：水源地保护区内有养殖场3家。",
                                 legal_basis="根据《中华人民共和国行政诉讼法》第二十五条第四款的规定，提出如下检察建议：",
                                 items=["依法查处违法养殖行为", "建立长效监管机制"], copy_to="宿州市人民政府")
        issue(session, first.id, "宿检行公建〔2024〕3号", dt.date(2024, 4, 2))
        mark_served(session, first.id, dt.date(2024, 4, 3))  # due 2024-06-03
        late = draft_suggestion(session, "宿州市自然资源局", items=["依法收回闲置土地"])
        issue(session, late.id, "宿检行公建〔2024〕5号", dt.date(2024, 5, 6))
        mark_served(session, late.id, dt.date(2024, 5, 6))  # due 2024-07-08: not in Q2's count
        draft = draft_suggestion(session, "宿州市农业农村局", items=["加强监管"])
        ids = {"first": first.id, "late": late.id, "draft": draft.id}
    monkeypatch.setenv("FJLD_PASSWORD", TEST_PASSWORD)
    db_path = str(user_data_dir / "fjld.db")
    new_db.close()
    return db_path, ids


def run(db_path, *argv):
    return cli_main(["--db", db_path, *argv])


def docx_text(path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_output_format_follows_the_extension_for_every_document(records, tmp_path):
    db_path, ids = records
    runs = {
        "letter.docx": ["pdf", "suggestion", "宿检行公建[2024]3号"],
        "receipt.docx": ["pdf", "receipt", str(ids["first"])],
        "reminder.docx": ["pdf", "reminder", str(ids["first"]), "--today", "2024-06-20", "--doc-no",
                          "宿检行公函〔2024〕2号", "--copy-to", "宿州市人民政府", "--note", "联系人：王检察官"],
        "quarterly.docx": ["pdf", "quarterly", "--year", "2024", "--quarter", "2", "--today", "2024-06-20"],
    }
    for name, argv in runs.items():
        assert run(db_path, *argv, "-o", str(tmp_path / name)) == 0, name
        assert zipfile.is_zipfile(tmp_path / name)
    letter = docx_text(tmp_path / "letter.docx")
    assert "宿检行公建〔2024〕3号" in letter and "一、依法查处违法养殖行为；" in letter
    reminder = docx_text(tmp_path / "reminder.docx")
    assert "宿检行公函〔2024〕2号" in reminder and "（联系人：王检察官）" in reminder and "草稿" not in reminder
    with zipfile.ZipFile(tmp_path / "reminder.docx") as archive:
        assert "抄送：宿州市人民政府。" in archive.read("word/document.xml").decode()
    quarterly = docx_text(tmp_path / "quarterly.docx")
    assert "宿检〔2024〕1号" in quarterly  # proposed from the 院代字, first of the year
    assert "各项数据均统计至2024年6月20日" in quarterly


def test_a_draft_suggestion_prints_with_the_draft_mark(records, tmp_path):
    db_path, ids = records
    assert run(db_path, "pdf", "suggestion", str(ids["draft"]), "-o", str(tmp_path / "d.docx")) == 0
    assert docx_text(tmp_path / "d.docx").startswith("草稿")


def test_dir_batches_take_the_format_and_are_named_by_doc_no(records, tmp_path):
    db_path, ids = records
    folder = tmp_path / "回证"
    assert run(db_path, "pdf", "receipt", str(ids["first"]), str(ids["late"]), "--dir", str(folder),
               "--format", "docx") == 0
    assert sorted(p.name for p in folder.iterdir()) == ["宿检行公建〔2024〕3号-送达回证.docx",
                                                         "宿检行公建〔2024〕5号-送达回证.docx"]


def test_bulletin_counts_replies_due_only_by_its_date_and_proposes_the_next_doc_no(records, tmp_path):
    db_path, _ = records
    assert run(db_path, "pdf", "quarterly", "--year", "2024", "--quarter", "2", "--today", "2024-06-20",
               "--doc-no", "宿检〔2024〕7号", "--copy-to", "宿州市人大常委会、宿州市人民检察院",
               "-o", str(tmp_path / "q.docx")) == 0
    text = docx_text(tmp_path / "q.docx")
    # the suggestion due 2024-07-08 is not yet due on 2024-06-20: 1 due, not 2
    assert "回复期限在2024年6月20日前届满的检察建议1件" in text
    assert "建议市人民政府督促" in text and "县人民政府" not in text
    with zipfile.ZipFile(tmp_path / "q.docx") as archive:
        xml = archive.read("word/document.xml").decode()
    assert "抄送：宿州市人大常委会，宿州市人民检察院。" in xml and "2024年6月20日印发" in xml
    # next time the 文号 is proposed one higher, with the same 抄送
    assert run(db_path, "pdf", "quarterly", "--year", "2024", "--quarter", "3", "--today", "2024-10-08",
               "-o", str(tmp_path / "q3.docx")) == 0
    assert "宿检〔2024〕8号" in docx_text(tmp_path / "q3.docx")
    with zipfile.ZipFile(tmp_path / "q3.docx") as archive:
        assert "抄送：宿州市人大常委会，宿州市人民检察院。" in archive.read("word/document.xml").decode()


def test_the_service_renders_both_formats_and_audits_each(new_db):
    with new_db.session_scope() as session:
        s = draft_suggestion(session, "宿州市生态环境局", items=["依法查处"])
        letter = documents.suggestion_letter(session, s.id, dt.date(2024, 1, 5))
        pdf = documents.render_documents(session, [letter], "pdf")
        word = documents.render_documents(session, [letter], "docx")
        with pytest.raises(documents.DomainError) as raised:
            documents.render_documents(session, [letter], "odt")
    assert pdf.startswith(b"%PDF") and zipfile.is_zipfile(io.BytesIO(word))
    assert raised.value.code == "document_format"


# ---- errors: one Chinese line, exit 1, nothing written ------------------------------------------

def expect_error(capsys, code: int, *fragments: str) -> None:
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert len(err.splitlines()) == 1 and err.startswith("错误：") and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err


def test_output_path_that_is_a_folder(records, tmp_path, capsys):
    db_path, ids = records
    expect_error(capsys, run(db_path, "pdf", "receipt", str(ids["first"]), "-o", str(tmp_path)), "文件夹")


def test_output_under_a_file(records, tmp_path, capsys):
    db_path, ids = records
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    target = blocker / "sub" / "x.docx"
    expect_error(capsys, run(db_path, "pdf", "receipt", str(ids["first"]), "-o", str(target)), "不是文件夹")
    assert blocker.read_text() == "x"


def test_dir_that_is_a_file(records, tmp_path, capsys):
    db_path, ids = records
    blocker = tmp_path / "batch"
    blocker.write_text("x")
    code = run(db_path, "pdf", "receipt", str(ids["first"]), "--dir", str(blocker), "--format", "docx")
    expect_error(capsys, code, "不是文件夹")


def test_unwritable_folder(records, capsys):
    db_path, ids = records
    expect_error(capsys, run(db_path, "pdf", "receipt", str(ids["first"]), "-o", "/proc/fjld-test/x.pdf"),
                 "无法写入")


def test_full_disk_leaves_no_partial_file(records, tmp_path, capsys, monkeypatch):
    import models.fsutil as fsutil

    db_path, ids = records
    real_fdopen = fsutil.os.fdopen

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[:100])
            raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(fsutil.os, "fdopen", lambda fd, mode: FullDisk(real_fdopen(fd, mode)))
    expect_error(capsys, run(db_path, "pdf", "suggestion", str(ids["first"]), "-o", str(out / "x.docx")),
                 "磁盘空间不足")
    assert list(out.iterdir()) == []  # neither the file nor its temp file


@pytest.mark.parametrize("content", [b"not a font at all", "truncated"])
def test_a_broken_font_file_is_one_line(records, tmp_path, capsys, content, user_data_dir):
    from models.platform import resources_dir
    from models.services.setup import unlock

    db_path, ids = records
    font = tmp_path / "broken.ttf"
    font.write_bytes(content if isinstance(content, bytes)
                     else (resources_dir() / "fonts" / "gkai00mp.ttf").read_bytes()[:20000])
    db = unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD)
    with db.session_scope() as session:
        set_setting(session, "font_overrides", {"kaiti": str(font)})
    db.close()
    out = tmp_path / "out"
    out.mkdir()
    code = run(db_path, "pdf", "suggestion", str(ids["first"]), "-o", str(out / "x.pdf"))
    expect_error(capsys, code, "broken.ttf")
    assert list(out.iterdir()) == []


def test_a_quarter_that_has_not_started_is_refused(records, tmp_path, capsys):
    db_path, _ = records
    code = run(db_path, "pdf", "quarterly", "--year", "2024", "--quarter", "4", "--today", "2024-06-20",
               "-o", str(tmp_path / "q.pdf"))
    expect_error(capsys, code, "尚未开始")
    assert not (tmp_path / "q.pdf").exists()


def test_an_unknown_extension_is_refused(records, tmp_path, capsys):
    db_path, ids = records
    expect_error(capsys, run(db_path, "pdf", "receipt", str(ids["first"]), "-o", str(tmp_path / "x.txt")),
                 ".pdf 或 .docx")
    assert not (tmp_path / "x.txt").exists()


def test_a_malformed_doc_no_is_refused(records, tmp_path, capsys):
    db_path, ids = records
    code = run(db_path, "pdf", "reminder", str(ids["first"]), "--today", "2024-06-20", "--doc-no", "第3号",
               "-o", str(tmp_path / "r.pdf"))
    expect_error(capsys, code)
    assert not (tmp_path / "r.pdf").exists()


def test_argparse_messages_are_chinese(capsys):
    with pytest.raises(SystemExit) as exited:
        cli_main(["pdf", "quarterly", "--year", "2024", "-o", "x.pdf"])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "错误：缺少必需的参数：--quarter" in err and "用法：" in err and "required" not in err
    with pytest.raises(SystemExit):
        cli_main(["pdf", "quarterly", "--year", "2024", "--quarter", "5", "-o", "x.pdf"])
    assert "取值 5 无效" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["pdf", "letter", "x"])
    err = capsys.readouterr().err
    assert "错误：参数 文书 的取值 'letter' 无效" in err and "invalid choice" not in err
