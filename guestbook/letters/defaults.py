"""The default letter templates shipped with Guestbook, per kind and language (staff may save their own)."""

from __future__ import annotations

from typing import NamedTuple


class TemplateText(NamedTuple):
    """The four editable parts of a letter."""

    subject: str
    greeting: str
    body: str
    sign_off: str


_EN_MEMORY = (
    "{% if favourite_seat or usual_order %}We still remember "
    "{% if favourite_seat %}your seat at {{ favourite_seat }}{% endif %}"
    "{% if favourite_seat and usual_order %} and {% endif %}"
    "{% if usual_order %}your {{ usual_order }}{% endif %}"
    ", and both will be waiting for you. {% endif %}"
)

EN = {
    "birthday": TemplateText(
        "Happy birthday, {{ preferred_name }}",
        "Dear {{ preferred_name }},",
        "Everyone at {{ property_name }} would like to wish you a very happy birthday on {{ birthday_date }}.\n\n"
        "{% if visit_count > 1 %}You have been our guest {{ visit_count }} times"
        "{% if last_visit_date %}, most recently on {{ last_visit_date }}{% endif %}, "
        "and it is always a pleasure to welcome you. {% endif %}" + _EN_MEMORY + "\n\n"
        "We hope the year ahead brings you health and happiness, and that we will see you again soon.",
        "With warm wishes,",
    ),
    "we_miss_you": TemplateText(
        "We have missed you, {{ preferred_name }}",
        "Dear {{ preferred_name }},",
        "It has been {{ time_since_last_visit }} since you last stayed with us, on {{ last_visit_date }}, "
        "and we have all missed you.\n\n" + _EN_MEMORY + "\n\n"
        "Whenever your travels bring you back, it would make us very happy to welcome you again.",
        "With warm regards,",
    ),
    "birthday_we_miss_you": TemplateText(
        "Happy birthday — we have missed you",
        "Dear {{ preferred_name }},",
        "It has been {{ time_since_last_visit }} since you last stayed with us, and we have all missed you. "
        "On {{ birthday_date }} it is your birthday: happy birthday, from all of us at {{ property_name }}.\n\n"
        + _EN_MEMORY
        + "\n\nWhenever your travels bring you back, it would make us very happy to welcome you again.",
        "With warm wishes,",
    ),
    "thank_you": TemplateText(
        "Thank you for your visit",
        "Dear {{ preferred_name }},",
        "Thank you for choosing {{ property_name }} on {{ first_visit_date }}. It was a pleasure to welcome you, "
        "and we hope everything was just as you wished.\n\n"
        "If anything could have been better, please tell us: we read every reply ourselves. "
        "We look forward to seeing you again.",
        "With kind regards,",
    ),
    "anniversary": TemplateText(
        "Happy anniversary",
        "Dear {{ preferred_name }},",
        "On {{ anniversary_date }} you celebrate your anniversary, and everyone at {{ property_name }} "
        "sends you our warmest congratulations.\n\n"
        + _EN_MEMORY
        + "\n\nIf you would like to celebrate with us, we would be delighted to prepare something special.",
        "With warm wishes,",
    ),
}

_ZH_MEMORY = (
    "{% if favourite_seat or usual_order %}我们仍然记得"
    "{% if favourite_seat %}您常坐的{{ favourite_seat }}{% endif %}"
    "{% if favourite_seat and usual_order %}，还有{% endif %}"
    "{% if usual_order %}您常点的{{ usual_order }}{% endif %}"
    "，随时为您准备好。{% endif %}"
)

ZH = {
    "birthday": TemplateText(
        "{{ preferred_name }}，生日快乐",
        "尊敬的{{ preferred_name }}：",
        "{{ property_name }}全体同仁祝您{{ birthday_date }}生日快乐！\n\n"
        "{% if visit_count > 1 %}您已光临我们{{ visit_count }}次"
        "{% if last_visit_date %}，最近一次是{{ last_visit_date }}{% endif %}，每次接待您都是我们的荣幸。{% endif %}"
        + _ZH_MEMORY
        + "\n\n愿您新的一岁健康幸福，期待早日再次见到您。",
        "此致\n敬礼",
    ),
    "we_miss_you": TemplateText(
        "{{ preferred_name }}，我们想念您",
        "尊敬的{{ preferred_name }}：",
        "自您{{ last_visit_date }}上次光临，已经{{ time_since_last_visit }}了，我们都很想念您。\n\n"
        + _ZH_MEMORY
        + "\n\n无论何时您再来，我们都将非常高兴地欢迎您。",
        "此致\n敬礼",
    ),
    "birthday_we_miss_you": TemplateText(
        "生日快乐，我们想念您",
        "尊敬的{{ preferred_name }}：",
        "自您上次光临我们已经{{ time_since_last_visit }}了，我们都很想念您。"
        "{{ birthday_date }}是您的生日：{{ property_name }}全体同仁祝您生日快乐！\n\n"
        + _ZH_MEMORY
        + "\n\n无论何时您再来，我们都将非常高兴地欢迎您。",
        "此致\n敬礼",
    ),
    "thank_you": TemplateText(
        "感谢您的光临",
        "尊敬的{{ preferred_name }}：",
        "感谢您于{{ first_visit_date }}光临{{ property_name }}。能够接待您是我们的荣幸，希望一切都令您满意。\n\n"
        "如有任何可以改进之处，敬请告诉我们：每一封回信我们都会亲自阅读。期待再次见到您。",
        "此致\n敬礼",
    ),
    "anniversary": TemplateText(
        "纪念日快乐",
        "尊敬的{{ preferred_name }}：",
        "{{ anniversary_date }}是您的纪念日，{{ property_name }}全体同仁向您致以最诚挚的祝贺。\n\n"
        + _ZH_MEMORY
        + "\n\n如您愿意与我们一同庆祝，我们将很乐意为您准备一份特别的惊喜。",
        "此致\n敬礼",
    ),
}

_JA_MEMORY = (
    "{% if favourite_seat or usual_order %}"
    "{% if favourite_seat %}いつもの{{ favourite_seat }}のお席{% endif %}"
    "{% if favourite_seat and usual_order %}と{% endif %}"
    "{% if usual_order %}いつもの{{ usual_order }}{% endif %}"
    "をご用意してお待ちしております。{% endif %}"
)

JA = {
    "birthday": TemplateText(
        "{{ preferred_name }}、お誕生日おめでとうございます",
        "{{ preferred_name }}",
        "{{ birthday_date }}のお誕生日を、{{ property_name }}のスタッフ一同心よりお祝い申し上げます。\n\n"
        "{% if visit_count > 1 %}これまで{{ visit_count }}回ご利用いただき"
        "{% if last_visit_date %}、前回は{{ last_visit_date }}にお越しいただきました{% endif %}。"
        "誠にありがとうございます。{% endif %}" + _JA_MEMORY + "\n\n"
        "この一年が健やかで幸せな年となりますよう、またお会いできる日を楽しみにしております。",
        "敬具",
    ),
    "we_miss_you": TemplateText(
        "{{ preferred_name }}、お元気でいらっしゃいますか",
        "{{ preferred_name }}",
        "{{ last_visit_date }}に最後にお越しいただいてから{{ time_since_last_visit }}が経ちました。"
        "スタッフ一同、{{ preferred_name }}にお会いできる日を心待ちにしております。\n\n"
        + _JA_MEMORY
        + "\n\nまたのお越しを心よりお待ち申し上げております。",
        "敬具",
    ),
    "birthday_we_miss_you": TemplateText(
        "お誕生日おめでとうございます",
        "{{ preferred_name }}",
        "最後にお越しいただいてから{{ time_since_last_visit }}が経ち、スタッフ一同とても寂しく思っております。"
        "{{ birthday_date }}はお誕生日ですね。{{ property_name }}一同、心よりお祝い申し上げます。\n\n"
        + _JA_MEMORY
        + "\n\nまたのお越しを心よりお待ち申し上げております。",
        "敬具",
    ),
    "thank_you": TemplateText(
        "ご来館ありがとうございました",
        "{{ preferred_name }}",
        "{{ first_visit_date }}は{{ property_name }}をご利用いただき、誠にありがとうございました。"
        "ご満足いただけましたでしょうか。\n\n"
        "お気づきの点がございましたら、どうぞお知らせください。またのお越しをお待ちしております。",
        "敬具",
    ),
    "anniversary": TemplateText(
        "記念日おめでとうございます",
        "{{ preferred_name }}",
        "{{ anniversary_date }}の記念日を、{{ property_name }}のスタッフ一同心よりお祝い申し上げます。\n\n"
        + _JA_MEMORY
        + "\n\nお祝いの席をご希望でしたら、特別なご用意をさせていただきます。",
        "敬具",
    ),
}

_DE_MEMORY = (
    "{% if favourite_seat or usual_order %}Wir erinnern uns gern an "
    "{% if favourite_seat %}Ihren Platz an {{ favourite_seat }}{% endif %}"
    "{% if favourite_seat and usual_order %} und {% endif %}"
    "{% if usual_order %}Ihr {{ usual_order }}{% endif %}"
    " – beides wartet auf Sie. {% endif %}"
)

# "ist ein Jahr vergangen", but "sind acht Monate / zwei Jahre vergangen"
_DE_VERB = "{% if years_since_last_visit == 1 %}ist{% else %}sind{% endif %}"

_DE_GREETING = (
    "{% if salutation == 'Ms' or salutation == 'Mrs' %}Sehr geehrte{% else %}Sehr geehrter{% endif %} "
    "{{ preferred_name }},"
)

DE = {
    "birthday": TemplateText(
        "Alles Gute zum Geburtstag",
        _DE_GREETING,
        "das ganze Team des {{ property_name }} gratuliert Ihnen herzlich zum Geburtstag am {{ birthday_date }}.\n\n"
        "{% if visit_count > 1 %}Sie waren bereits {{ visit_count }}-mal unser Gast"
        "{% if last_visit_date %}, zuletzt am {{ last_visit_date }}{% endif %}, "
        "und es ist uns jedes Mal eine Freude. {% endif %}" + _DE_MEMORY + "\n\n"
        "Wir wünschen Ihnen ein gesundes und glückliches neues Lebensjahr und hoffen, Sie bald wiederzusehen.",
        "Mit herzlichen Grüßen",
    ),
    "we_miss_you": TemplateText(
        "Wir vermissen Sie",
        _DE_GREETING,
        "seit Ihrem letzten Besuch am {{ last_visit_date }} " + _DE_VERB + " {{ time_since_last_visit }} vergangen, "
        "und wir haben Sie alle vermisst.\n\n" + _DE_MEMORY + "\n\n"
        "Wann immer Ihre Reisen Sie wieder zu uns führen, freuen wir uns sehr, Sie willkommen zu heißen.",
        "Mit herzlichen Grüßen",
    ),
    "birthday_we_miss_you": TemplateText(
        "Alles Gute zum Geburtstag – wir vermissen Sie",
        _DE_GREETING,
        "seit Ihrem letzten Aufenthalt bei uns "
        + _DE_VERB
        + " {{ time_since_last_visit }} vergangen, und wir haben Sie alle "
        "vermisst. Am {{ birthday_date }} haben Sie Geburtstag: Alles Gute, von uns allen im {{ property_name }}.\n\n"
        + _DE_MEMORY
        + "\n\nWann immer Ihre Reisen Sie wieder zu uns führen, freuen wir uns sehr, Sie willkommen zu heißen.",
        "Mit herzlichen Grüßen",
    ),
    "thank_you": TemplateText(
        "Vielen Dank für Ihren Besuch",
        _DE_GREETING,
        "vielen Dank, dass Sie am {{ first_visit_date }} bei uns im {{ property_name }} zu Gast waren. "
        "Wir hoffen, es war alles so, wie Sie es sich gewünscht haben.\n\n"
        "Wenn etwas besser hätte sein können, sagen Sie es uns bitte: Wir lesen jede Antwort selbst. "
        "Wir freuen uns auf Ihren nächsten Besuch.",
        "Mit freundlichen Grüßen",
    ),
    "anniversary": TemplateText(
        "Herzlichen Glückwunsch zum Jahrestag",
        _DE_GREETING,
        "am {{ anniversary_date }} feiern Sie Ihren Jahrestag, und das ganze Team des {{ property_name }} "
        "gratuliert Ihnen herzlich.\n\n" + _DE_MEMORY + "\n\n"
        "Wenn Sie mit uns feiern möchten, bereiten wir gern etwas Besonderes für Sie vor.",
        "Mit herzlichen Grüßen",
    ),
}

# Korean: the memory sentence keeps its particles right whatever the seat or dish is called, by
# attaching them to 자리 / 메뉴 and giving the names in brackets.
_KO_MEMORY = (
    "{% if favourite_seat or usual_order %}"
    "{% if favourite_seat %}늘 앉으시던 자리({{ favourite_seat }}){% endif %}"
    "{% if favourite_seat and usual_order %}와 {% endif %}"
    "{% if usual_order %}즐겨 드시던 메뉴({{ usual_order }}){% endif %}"
    "를 준비해 두고 기다리겠습니다. {% endif %}"
)

KO = {
    "birthday": TemplateText(
        "{{ preferred_name }}, 생신을 진심으로 축하드립니다",
        "{{ preferred_name }}께",
        "{{ birthday_date }} {{ preferred_name }}의 생신을 {{ property_name }} 직원 일동이 진심으로 축하드립니다.\n\n"
        "{% if visit_count > 1 %}그동안 {{ visit_count }}번 저희를 찾아 주셨고"
        "{% if last_visit_date %}, 가장 최근에는 {{ last_visit_date }}에 방문해 주셨습니다{% endif %}. "
        "언제나 감사한 마음입니다. {% endif %}" + _KO_MEMORY + "\n\n"
        "새로운 한 해가 건강과 행복으로 가득하시기를 바라며, 곧 다시 뵙기를 기대합니다.",
        "따뜻한 마음을 담아",
    ),
    "we_miss_you": TemplateText(
        "{{ preferred_name }}, 보고 싶었습니다",
        "{{ preferred_name }}께",
        "마지막으로 방문해 주신 날({{ last_visit_date }})이 벌써 {{ time_since_last_visit }} 전입니다. "
        "저희 모두 {{ preferred_name }}을 그리워하고 있습니다.\n\n" + _KO_MEMORY + "\n\n"
        "언제든 다시 찾아 주시면 진심으로 반갑게 맞이하겠습니다.",
        "감사합니다",
    ),
    "birthday_we_miss_you": TemplateText(
        "생신을 축하드립니다 — 보고 싶었습니다",
        "{{ preferred_name }}께",
        "마지막으로 방문해 주신 지 {{ time_since_last_visit }}이 지났고, 저희 모두 많이 그리워했습니다. "
        "{{ birthday_date }}은 {{ preferred_name }}의 생신이지요. {{ property_name }} 직원 일동, 진심으로 "
        "축하드립니다.\n\n" + _KO_MEMORY + "\n\n언제든 다시 찾아 주시면 진심으로 반갑게 맞이하겠습니다.",
        "따뜻한 마음을 담아",
    ),
    "thank_you": TemplateText(
        "방문해 주셔서 감사합니다",
        "{{ preferred_name }}께",
        "{{ first_visit_date }} {{ property_name }}에 방문해 주셔서 진심으로 감사드립니다. "
        "모든 것이 마음에 드셨기를 바랍니다.\n\n"
        "혹시 아쉬운 점이 있으셨다면 언제든 말씀해 주십시오. 보내 주신 의견은 저희가 직접 읽습니다. "
        "다시 뵙기를 기대합니다.",
        "감사합니다",
    ),
    "anniversary": TemplateText(
        "기념일을 축하드립니다",
        "{{ preferred_name }}께",
        "{{ anniversary_date }} 기념일을 {{ property_name }} 직원 일동이 진심으로 축하드립니다.\n\n"
        + _KO_MEMORY
        + "\n\n기념일을 저희와 함께 보내고 싶으시면 특별히 준비해 드리겠습니다.",
        "따뜻한 마음을 담아",
    ),
}

DEFAULT_TEMPLATES: dict[str, dict[str, TemplateText]] = {"en": EN, "zh-Hans": ZH, "ja": JA, "ko": KO, "de": DE}
