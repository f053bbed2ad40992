from nlp.normalize import html_to_text, looks_like_html, normalize_text, strip_courtesy


def test_nfkc_unifies_width():
    assert normalize_text("ﾛｸﾞｲﾝできない　ＡＢＣ１２３") == "ログインできない ABC123"


def test_whitespace_collapsed():
    assert normalize_text("  配送が\t\t遅い  \n\n\n\n返金して ") == "配送が 遅い\n\n返金して"


def test_html_mail_becomes_text_and_drops_script():
    html = "<html><body><p>商品が届きません。</p><script>alert(1)</script><br>確認してください</body></html>"
    out = normalize_text(html, html=True, mail=True)
    assert "商品が届きません。" in out and "確認してください" in out
    assert "alert" not in out and "<" not in out


def test_text_mentioning_a_tag_is_not_html_converted():
    text = "<script>alert(1)</script> カートに入らない"
    assert not looks_like_html(text)
    assert normalize_text(text, html=True) == text


def test_quoted_reply_removed():
    mail = (
        "返金はまだでしょうか。\n\n"
        "2026年11月1日(日) 10:00 こもれび サポート <support@example.jp>:\n"
        "> ご返送品の到着後に返金いたします。\n"
    )
    assert normalize_text(mail, mail=True) == "返金はまだでしょうか。"


def test_gt_quoted_lines_removed():
    assert normalize_text("交換をお願いします。\n> 以前のメール\n> 引用", mail=True) == "交換をお願いします。"


def test_signature_removed():
    mail = "サイズ交換できますか。\n\n――――――――――\n山田 太郎\n090-0000-0000\n――――――――――"
    assert normalize_text(mail, mail=True) == "サイズ交換できますか。"
    assert normalize_text("届きません。\n-- \n佐藤", mail=True) == "届きません。"


def test_courtesy_phrases_removed_but_message_kept():
    text = "お世話になっております。\n届いた商品が壊れていました。\nよろしくお願いいたします。"
    assert normalize_text(text) == "届いた商品が壊れていました。"
    assert strip_courtesy("すみません、二重に決済されています。ご確認をお願いします。") == "二重に決済されています。"
    assert strip_courtesy("よろしくお願いします") == "よろしくお願いします"  # nothing else to keep


def test_html_to_text_keeps_line_breaks():
    assert html_to_text("注文<br>キャンセル").split() == ["注文", "キャンセル"]
