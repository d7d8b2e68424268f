"""The help a new town starts from, written from the town's registration guide
(「水道ポータル 登録方法」) and from what the portal does.

Japanese content, as the town's own texts are: not translated through the .po, because
each town edits its copy and a translation would go stale at the first edit. Each entry
carries English ``keywords`` so that a question asked in English finds it.

The texts name the town through placeholders filled from its fields when the set is
installed (``render``): ``{town}`` its name, ``{office}`` its department and section,
``{contact}`` the office with its phone and hours, ``{lock_hours}`` its
使用者番号ロックの期間, ``{password_rule}`` its password rule, ``{mail_domain}`` the
domain the portal's mail comes from. This module holds data and plain functions only:
the data migration uses it with the historical models.
"""

from dataclasses import dataclass

from waterportal import emails


@dataclass(frozen=True)
class Category:
    key: str
    name: str


@dataclass(frozen=True)
class Entry:
    key: str
    category: str
    question: str
    answer: str
    keywords: str = ""


CATEGORIES = [
    Category("signup", "登録・ログイン"),
    Category("code", "認証コードが届かない"),
    Category("number", "使用者番号"),
    Category("charges", "料金・支払い"),
    Category("moving", "引っ越し"),
    Category("other", "その他"),
]

ENTRIES = [
    # --- 登録・ログイン ------------------------------------------------------------
    Entry(
        "signup-how",
        "signup",
        "会員登録のしかたを教えてください。",
        """\
ログインの画面で「初めての方はこちら」を押し、次の順に進みます。
1. メールアドレスを入力して「認証コードの送信」を押します。
2. メールで届いた認証コード（6桁の数字）を入力して「次へ」を押します。
3. お名前と、ログインに使うパスワードを入力します。
4. 検針票に書かれている使用者番号とカナ氏名を入力し、利用規約を読んで「同意する」にチェックを入れます。
5. 個人情報の取り扱いを読んで「同意する」にチェックを入れ、申込者と契約者の関係を選んで「確認」を押します。
6. 入力した内容を確かめて「登録」を押すと、登録は完了です。""",
        "登録方法 新規登録 はじめて 初めて 申し込み 申込み 会員になりたい 始め方 使い方 手順 "
        "やり方 sign up signup register registration how to start new account create",
    ),
    Entry(
        "signup-needed",
        "signup",
        "登録に必要なものは何ですか。",
        """\
次の3つをご用意ください。
・メールアドレス（認証コードとお知らせが届きます）
・検針票（水道使用量のお知らせ）など、使用者番号が分かるもの
・スマートフォンかパソコン""",
        "用意 必要 持ち物 準備 何がいる いるもの need needed requirements prepare",
    ),
    Entry(
        "signup-password-rule",
        "signup",
        "パスワードはどのように決めればよいですか。",
        """\
パスワードは{password_rule}にしてください。ほかのサービスと同じパスワードは使わず、人に教えないでください。
入力した文字が条件に合わないときは、画面にその理由が表示されます。""",
        "パスワード 決め方 条件 規則 文字数 大文字 小文字 数字 英字 使えない 設定できない "
        "password rules requirements characters length uppercase",
    ),
    Entry(
        "login-forgot-password",
        "signup",
        "パスワードを忘れました。",
        """\
ログインの画面の「パスワードをお忘れの方」を押し、登録したメールアドレスを入力してください。
メールで届く認証コードを入力すると、新しいパスワードを設定できます。""",
        "忘れた わすれた 思い出せない 分からない わからない 再設定 リセット 再発行 "
        "forgot forgotten password reset lost",
    ),
    Entry(
        "login-cannot",
        "signup",
        "ログインできません。",
        """\
次のことを確かめてください。
・登録したメールアドレスを、まちがいなく入力しているか
・パスワードの大文字と小文字、数字がまちがっていないか
パスワードのまちがいが何度も続くと、アカウントを守るため、パスワードでのログインをしばらく止めます。そのときはご本人あてに「ログイン用のリンク」をメールでお送りしますので、そのリンクからログインしてください。
パスワードが分からない場合は、「パスワードをお忘れの方」から設定し直せます。""",
        "ログインできない 入れない はいれない サインイン 失敗 エラー 止まった 一時停止 "
        "リンク ログイン用 何度も can't cannot log in login sign in failed locked out link",
    ),
    Entry(
        "signup-already",
        "signup",
        "「すでに登録されています」というメールが届きました。",
        """\
そのメールアドレスは、すでに会員として登録されています。そのため認証コードはお送りしていません。
ログインの画面からログインしてください。パスワードを忘れた場合は「パスワードをお忘れの方」から設定し直せます。
お申し込みにお心当たりがない場合は、メールを削除してください。アカウントに変更はありません。""",
        "登録済み すでに 既に 二重 もう登録 already registered exists existing",
    ),
    Entry(
        "account-change-email",
        "signup",
        "登録したメールアドレスを変えたいです。",
        """\
ログインしてから「アカウント」の「メールアドレスを変更する」を押し、新しいメールアドレスを入力してください。
新しいアドレスに届く認証コードを入力すると、変更が終わります。携帯電話を買い替えてアドレスが変わるときは、古いアドレスが使えるうちに変更してください。""",
        "メールアドレス 変更 変えたい かえたい 変わった 新しいアドレス 機種変更 携帯 "
        "change email address new",
    ),
    Entry(
        "account-change-password",
        "signup",
        "パスワードを変えたいです。",
        """\
ログインしてから「アカウント」の「パスワードを変更する」を押し、今のパスワードと新しいパスワードを入力してください。""",
        "パスワード 変更 変えたい かえたい 新しい change password new",
    ),
    Entry(
        "account-withdraw",
        "signup",
        "退会するにはどうすればよいですか。",
        """\
ログインしてから「アカウント」の「退会について」を押し、案内にしたがって手続きしてください。
退会しても、水道の契約やお支払いは変わりません。水道の使用をやめるときは、退会とは別に{office}への届出が必要です。""",
        "退会 やめたい やめる 解約 削除 消したい アカウント削除 登録解除 "
        "withdraw delete account cancel quit leave",
    ),
    Entry(
        "signup-next-business-day",
        "signup",
        "登録したのに、料金や使用量が表示されません。",
        """\
登録は完了していますが、使用料や料金が確認できるようになるのは、登録した日の1営業日後からです。
営業日は、土曜・日曜・祝日、年末年始と{town}の休業日を除いた日です。たとえば金曜日に登録した場合は、次の月曜日（祝日なら火曜日）から表示されます。
表示が始まる日は、「アカウント」の「登録しているご契約」にも書かれています。""",
        "表示されない 見られない 見えない 出ない 反映 いつから 翌営業日 1営業日 一営業日 "
        "営業日 準備中 すぐ 登録後 not shown can't see when next business day pending",
    ),
    # --- 認証コードが届かない --------------------------------------------------------
    Entry(
        "code-check-address",
        "code",
        "認証コードのメールが届きません。",
        """\
まず、入力したメールアドレスにまちがいがないか確かめてください（「.」と「,」、「l」と「1」、「o」と「0」のちがいなど）。まちがっていた場合は、最初の画面に戻って正しいアドレスを入力してください。
メールは通常1〜2分で届きます。届かない場合は、迷惑メールフォルダと受信の設定も確かめてから、画面の「認証コードを再送信」を押してください。""",
        "届かない とどかない 来ない こない 受け取れない 届いてない 送られてこない メール 認証コード "
        "確認コード 6桁 アドレス まちがい 間違い 打ち間違い 確認 "
        "not received no email didn't get code verification never arrived typo address",
    ),
    Entry(
        "code-spam",
        "code",
        "迷惑メールフォルダに入っていないか確かめるには？",
        """\
メールの画面で「迷惑メール」「スパム」「プロモーション」「ゴミ箱」などのフォルダを開き、{town} 水道ポータルからのメールがないか確かめてください。
見つかった場合は「迷惑メールではない」に設定すると、次からは受信トレイに届きます。""",
        "迷惑メール めいわく スパム ゴミ箱 ごみばこ フォルダ 受信トレイ 見つからない "
        "spam junk folder trash promotions",
    ),
    Entry(
        "code-allow-domain",
        "code",
        "携帯電話のメールで受け取れません（受信拒否・ドメイン指定）。",
        """\
携帯電話会社のメール（docomo、au、SoftBank など）では、パソコンから送られたメールを受け取らない設定になっていることがあります。
メールの受信設定で、「{mail_domain}」からのメールを受信できるよう「受信を許可するドメイン」（指定受信）に追加してから、認証コードを再送信してください。設定のしかたは、携帯電話会社の案内をご覧ください。""",
        "受信拒否 受信設定 ドメイン 許可 指定受信 ドメイン指定 キャリアメール ドコモ docomo au "
        "ソフトバンク softbank ガラケー 携帯 ケータイ 拒否 ブロック "
        "allow domain blocked carrier mobile phone mail settings whitelist",
    ),
    Entry(
        "code-expired",
        "code",
        "認証コードを入力するとエラーになります。",
        """\
認証コードの有効期限は、メールの送信から10分です。再送信した場合は、いちばん新しいメールのコードだけが使えます。
5回まちがえるとそのコードは使えなくなります。「認証コードを再送信」を押して、新しいコードを入力してください。再送信は1分ほど待ってからできます（1時間に5回まで）。""",
        "エラー 期限 期限切れ 切れた 有効期限 無効 まちがい 間違い 違う 使えない 入力できない 再送信 "
        "もう一度 送れない 何回 expired invalid wrong code error resend again",
    ),
    # --- 使用者番号 -------------------------------------------------------------------
    Entry(
        "number-where",
        "number",
        "使用者番号はどこに書いてありますか。",
        """\
使用者番号は、検針のときにお届けする検針票（水道使用量のお知らせ）に印刷されています。
検針票が見当たらない場合は、{contact}にお問い合わせください。""",
        "使用者番号 どこ 場所 書いてある 載っている 検針票 水道使用量のお知らせ お客様番号 "
        "水道番号 番号 分からない わからない 調べたい customer number where find meter reading slip",
    ),
    Entry(
        "number-format",
        "number",
        "使用者番号の入力のしかたを教えてください。",
        """\
検針票に書かれている数字を、そのまま入力してください。ハイフン（-）はあってもなくてもかまいません。全角の数字でも入力できます。""",
        "入力 ハイフン 桁 けた 全角 半角 数字 入れ方 形式 how to enter type format hyphen digits",
    ),
    Entry(
        "number-name-mismatch",
        "number",
        "「使用者番号とカナ氏名が一致しません」と表示されます。",
        """\
カナ氏名には、あなたのお名前ではなく、検針票に書かれている契約者（使用者）のお名前を、カタカナで検針票のとおりに入力してください。ご家族の名義の場合は、その方のお名前です。
小さい文字（ッ・ャ・ュ・ョ）や濁点、姓と名の間の空白も確かめてください。
まちがいが続くと、その使用者番号での登録を{lock_hours}時間止めます。検針票の名義が古い（前に住んでいた方、亡くなった方など）場合は、{contact}にご連絡ください。""",
        "一致しない 合わない 違う ちがう 名義 カナ カナ氏名 氏名 フリガナ ふりがな 名前 エラー 台帳 "
        "name does not match kana mismatch error ledger",
    ),
    Entry(
        "number-locked",
        "number",
        "使用者番号で登録できなくなりました（ロック）。",
        """\
同じ使用者番号でカナ氏名のまちがいが続いたため、その番号での登録を{lock_hours}時間止めています。時間が過ぎると自動で解除されますので、検針票のとおりのカナ氏名で、もう一度お試しください。
お急ぎの場合は、{contact}にご連絡ください。""",
        "ロック 止まった 止められた 登録できない 一時停止 使えない locked lock blocked",
    ),
    Entry(
        "number-family",
        "number",
        "家族の名義の契約や、複数の契約を登録できますか。",
        """\
できます。登録のときに、申込者と契約者の関係（本人、家族など）を選んでください。
ご実家や別の場所のご契約も、ログインしてから「アカウント」の「使用者番号を追加する」で、1つのアカウントに追加できます。""",
        "家族 親 父 母 夫 妻 名義 代理 複数 追加 2つ 二つ 別の家 実家 アパート 関係 "
        "family parents multiple contracts add another second",
    ),
    # --- 料金・支払い ----------------------------------------------------------------
    Entry(
        "charges-view",
        "charges",
        "水道料金や使用量はどこで見られますか。",
        """\
ログインすると、最初のページ（マイページ）にご契約ごとの最新のご請求金額と使用水量が表示されます。
「これまでの使用量と料金」では過去の記録をグラフと一覧で見られ、一覧はCSVでダウンロードできます。検針ごとの明細はPDFでも保存できます。""",
        "料金 今月 先月 水道代 いくら 金額 使用量 水量 確認 見たい 見る 履歴 過去 明細 グラフ 請求 "
        "how much bill charges usage history check see view amount",
    ),
    Entry(
        "charges-read-bill",
        "charges",
        "検針票の見方（指針・使用水量など）を教えてください。",
        """\
検針票（水道使用量のお知らせ）には、主に次のことが書かれています。
・検針日：メーターを読んだ日
・今回指針と前回指針：メーターの数字。その差が今回の使用水量（㎥）です
・使用水量と使用日数
・ご請求金額（水道料金と下水道使用料。うち消費税額）と支払方法
ポータルの明細にも同じ内容が表示されます。""",
        "見方 読み方 意味 指針 メーター 検針 使用水量 立方メートル 基本料金 従量料金 内訳 "
        "how to read bill meter reading slip statement meaning",
    ),
    Entry(
        "charges-payment",
        "charges",
        "料金の支払い方法を教えてください。",
        """\
お支払いは、口座振替（金融機関の口座からの引き落とし）か、納付書（金融機関やコンビニエンスストアの窓口）です。ご契約の支払方法はポータルの明細に表示されます。
ポータルでの支払いはできません。口座振替のお申し込みや変更は、{contact}にお問い合わせください。""",
        "支払い 支払 払い方 はらいかた 払う 口座振替 引き落とし 引落し 納付書 コンビニ クレジット "
        "カード 振込 銀行 pay payment credit card bank direct debit convenience store",
    ),
    Entry(
        "charges-high",
        "charges",
        "水道料金が急に高くなりました。",
        """\
使用水量が急に増えた場合は、水漏れ（漏水）のおそれがあります。家中の蛇口を閉めた状態で水道メーターを見て、パイロット（小さな羽根車）が回っていれば、どこかで水が漏れています。
修理は町の指定給水装置工事事業者にご依頼ください。料金のご相談は、{contact}へどうぞ。""",
        "高い 急に 増えた 多い 上がった 高額 漏水 水漏れ みずもれ もれ 漏れ メーター "
        "high expensive increase leak leaking",
    ),
    # --- 引っ越し --------------------------------------------------------------------
    Entry(
        "moving-start-stop",
        "moving",
        "引っ越しのとき、水道の手続きはどうすればよいですか。",
        """\
引っ越しの日が決まったら、{contact}に水道の使用中止（転出のとき）や使用開始（転入のとき）をお届けください。ポータルからは届出できません。
{town}の中で引っ越す場合、新しい住所のご契約には新しい使用者番号が付きます。検針票が届いたら「アカウント」の「使用者番号を追加する」で追加してください。""",
        "引越し 引っ越し 引越 ひっこし 転居 転出 転入 移転 住所変更 使用開始 使用中止 開栓 閉栓 "
        "止めたい 使い始め moving move house move out move in relocate start stop water",
    ),
    Entry(
        "moving-old-contract",
        "moving",
        "引っ越す前の家の契約がマイページに残っています。",
        """\
使用を中止したご契約も、これまでの記録は引き続きご覧いただけます。一覧から外す場合は、「アカウント」で、そのご契約の「このご契約を一覧から外す」を押してください。
{town}の外へ引っ越してポータルを使わなくなる場合は、退会もできます。""",
        "前の家 古い 旧住所 残っている 外す 解除 削除 中止 終了 転出 "
        "old previous contract remove still shown",
    ),
    Entry(
        "moving-name-change",
        "moving",
        "契約者の名義を変えたいです（家族が亡くなった、世帯主が変わったなど）。",
        """\
水道の名義の変更は、{contact}にお届けください。ポータルからは変更できません。
名義が変わったあとは、新しい名義のカナ氏名で登録できます。""",
        "名義変更 名義 変えたい 亡くなった 死亡 世帯主 相続 契約者 "
        "name change contract holder died deceased",
    ),
    # --- その他 ----------------------------------------------------------------------
    Entry(
        "other-notifications",
        "other",
        "お知らせのメールを止めたいです。",
        """\
ログインしてから「アカウント」の「お知らせメールの設定」で、メールを受け取るかどうかを選べます。
認証コードなど、手続きに必要なメールは設定にかかわらずお送りします。""",
        "お知らせメール 通知 止めたい 止める いらない 配信停止 受け取らない 設定 新しい請求 "
        "notification notifications stop email unsubscribe settings",
    ),
    Entry(
        "other-english",
        "other",
        "英語で表示できますか。",
        """\
各ページのいちばん下にある「English」を押すと、画面の表示が英語になります。「日本語」を押すと元に戻ります。
メールとお知らせの内容は日本語です。""",
        "英語 言語 外国語 表示 切り替え english language translate",
    ),
    Entry(
        "other-app",
        "other",
        "スマートフォンのアプリはありますか。",
        """\
水道ポータルは、スマートフォンやパソコンのブラウザ（Safari、Chrome など）で使えます。アプリを入れる必要はありません。
よく使う場合は、ログインの画面をブックマークやホーム画面に追加しておくと便利です。""",
        "アプリ ダウンロード インストール スマホ スマートフォン iphone android アンドロイド "
        "ブラウザ パソコン app application download install smartphone",
    ),
    Entry(
        "other-water-trouble",
        "other",
        "水がにごっています。水が出ません（断水）。",
        """\
断水や、工事のあとの濁り（にごり・赤い水）は、ポータルの「お知らせ」で{town}からお知らせしています。まず「お知らせ」をご覧ください。
お知らせがないときや、水が出ない・濁りが続くときは、すぐに{contact}へお電話ください。
濁った水は飲まずに、しばらく蛇口から水を流して、透明になるまでお待ちください。""",
        "濁った水 濁り にごり にごった 濁水 赤い水 赤水 黒い水 白い水 茶色 色 断水 水が出ない "
        "出ない 止まった 止まる 水圧 弱い 漏水 工事 お知らせ 緊急 "
        "water cloudy dirty brown rusty discoloured no water outage shut off pressure",
    ),
    Entry(
        "other-contact",
        "other",
        "電話で問い合わせたいです。",
        """\
水道についてのお問い合わせは、{contact}へどうぞ。
ポータルの「お問い合わせ」のフォームからも、いつでもご質問いただけます。""",
        "問い合わせ 問合せ 電話 でんわ 電話番号 水道課 役場 連絡先 窓口 相談 聞きたい 担当 受付時間 "
        "contact phone call office hours ask question",
    ),
]

PASSWORD_RULES = {
    "guide": "大文字・小文字・数字を含む8文字以上",
    "length": "15文字以上（文字の種類は問いません）",
}


def mail_domain() -> str:
    """The domain of the portal's sender address, as residents must allow it."""
    return emails.sender_domain()


def placeholders(town) -> dict[str, str]:
    """The words a town's texts fill in, from ``town`` (a Tenant, or its historical
    model in a migration)."""
    office = " ".join(p for p in (town.department, town.section) if p) or "水道の担当窓口"
    details = "、".join(
        p for p in (f"電話 {town.phone}" if town.phone else "", town.opening_hours) if p
    )
    return {
        "town": town.name,
        "office": f"{town.name} {office}",
        "contact": f"{town.name} {office}（{details}）" if details else f"{town.name} {office}",
        "lock_hours": str(town.number_lock_hours),
        "password_rule": PASSWORD_RULES.get(town.password_rule, PASSWORD_RULES["guide"]),
        "mail_domain": mail_domain(),
    }


def render(text: str, town) -> str:
    return text.format(**placeholders(town))


def install(town, category_model, entry_model, *, now) -> int:
    """Add the default categories and entries ``town`` lacks (by key); returns how many
    entries were added. Takes the models so that the data migration can pass its own."""
    categories = {c.key: c for c in category_model.objects.filter(tenant=town).exclude(key="")}
    for order, category in enumerate(CATEGORIES, start=1):
        if category.key not in categories:
            categories[category.key] = category_model.objects.create(
                tenant=town, key=category.key, name=category.name, order=order * 10
            )
    have = set(
        entry_model.objects.filter(tenant=town).exclude(key="").values_list("key", flat=True)
    )
    rows = [
        entry_model(
            tenant=town,
            category=categories[entry.category],
            key=entry.key,
            question=entry.question,
            answer=render(entry.answer, town),
            keywords=entry.keywords,
            order=order * 10,
            updated_at=now,
        )
        for order, entry in enumerate(ENTRIES, start=1)
        if entry.key not in have
    ]
    entry_model.objects.bulk_create(rows)
    return len(rows)


BY_KEY = {entry.key: entry for entry in ENTRIES}
