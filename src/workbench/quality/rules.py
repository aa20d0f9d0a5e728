"""Word lists, patterns, weights and messages behind the task-description quality score.

Kept apart from :mod:`workbench.quality.score` so a sales lead can read (and argue with) the
rules without reading the code that applies them.

The lesson behind the rules: "contact the client" tells a new employee nothing, while
"call the client, conduct qualification according to the script <link>" names the channel,
the steps and the material. A good description is brief, links the materials it needs, has
its CRM data substituted correctly, and the task has a deadline.

Every pattern below is a plain regular expression that both Python's ``re`` and Arrow's RE2
understand (no look-arounds, no ``\\b``: RE2's ``\\b`` is ASCII-only and would miss Cyrillic
words). Patterns marked *lower* are matched against the lower-cased text. A word starts at
the beginning of the text or after a character that is not a letter, digit or underscore
(``_START``); Russian words are matched on stems so any ending counts ("позвон" matches
позвонить, позвоните, позвонил).
"""

from __future__ import annotations

from workbench.i18n import N_

__all__ = [
    "DEFAULT_WEIGHTS",
    "FLAGS",
    "FLAG_MESSAGES",
    "BANDS",
    "GENERIC_VERBS",
    "CONCRETE_ACTIONS",
    "CONCRETE_STEPS",
    "METHOD_TERMS",
    "MATERIALS_NEEDING_LINK",
    "LINK",
    "MARKUP",
    "PLACEHOLDER",
    "EMPTY_SUBSTITUTION",
    "DANGLING_END",
    "WORD",
    "WORD_TAIL",
    "with_lookahead",
]

_LETTER = "0-9a-zа-яё_"
_START = f"(?:^|[^{_LETTER}])"
_END = f"(?:$|[^{_LETTER}])"
# Whitespace spelled out: RE2's Unicode-aware \\s is several times slower on Arrow strings.
_WS = "[ \t\r\n\u00a0]"
_NOT_WS = "[^ \t\r\n\u00a0]"


def _words(*alternatives: str, whole: bool = False) -> str:
    """Join alternatives into one pattern anchored at a word start (and end if ``whole``)."""
    body = "|".join(alternatives)
    return f"{_START}(?:{body}){_END if whole else ''}"


def with_lookahead(pattern: str) -> str:
    """Swap the consuming word end for a look-ahead (Python ``re`` only, not RE2).

    Used when quoting the matched words back to the reader, so "contact the" becomes
    "contact".
    """
    return pattern.replace(_END, f"(?![{_LETTER}])")


#: Generic verbs: say that something should happen but not how (*lower*, word start).
GENERIC_VERBS = _words(
    # English, whole words / phrases
    r"contact(?:s|ed|ing)?" + _END,
    r"follow(?:ing)?[ -]?ups?" + _END,
    r"reach(?:ing)? out",
    r"touch(?:ing)? base",
    r"check(?:ing)?[ -]in" + _END,
    r"work(?:ing)? (?:on|with)" + _END,
    r"get (?:in touch|back to)",
    r"keep in touch",
    r"connect with",
    r"ping" + _END,
    r"chase" + _END,
    r"deal with",
    r"handle" + _END,
    r"look into",
    r"sort out",
    r"discuss(?:es|ed|ing)?" + _END,
    r"talk (?:to|with)" + _END,
    r"clarify" + _END,
    r"remind" + _END,
    # Russian stems
    r"связат",  # связаться
    r"связыв",  # связываться
    r"(?:выйти|выходить) на связь",
    r"поработ",  # поработать с клиентом
    r"проработ",
    r"отработ",
    r"обработ",
    r"уточн",  # уточнить
    r"напис",  # написать: channel unspecified (e-mail? messenger?)
    r"пообщ",
    r"обсуд",  # обсудить
    r"напомн",
    r"дожат",
    r"решить вопрос",
    r"разобрат",
)

#: Concrete channels and actions: the reader knows *how* to act (*lower*, word start).
CONCRETE_ACTIONS = _words(
    r"call",  # call, calls, called, calling
    r"phone",
    r"ring" + _END,
    r"dial",
    r"e-?mail",
    r"mail" + _END,
    r"send",
    r"sent" + _END,
    r"meet",  # meet, meeting
    r"visit",
    r"demo",  # demo, demonstrate
    r"qualif",
    r"present(?:s|ed|ing)?" + _END,
    r"sms",
    r"text message",
    r"whats ?app",
    r"telegram",
    r"zoom",
    r"video[ -]?call",
    r"sign" + _END,
    r"invoice",
    r"letter",
    r"voicemail",
    # Russian stems
    r"позвон",
    r"звон",  # звонок, звонить
    r"созвон",
    r"перезвон",
    r"набрать",
    r"отправ",
    r"высла",
    r"вышл",
    r"направ",
    r"встреч",
    r"встрет",
    r"визит",
    r"выезд",
    r"съезд",
    r"квалифиц",
    r"демонстр",
    r"демо",
    r"презентов",  # презентовать; "презентация" alone is a material, not a step
    r"провести презентац",
    r"письм",
    r"почт(?:а|у|е|ой|ы)" + _END,  # not "почти"
    r"смс",
    r"ватсап",
    r"вотсап",
    r"телеграм",
    r"зум",
    r"видеозвон",
    r"подпис",
    r"выстав",  # выставить счёт
)

#: A concrete step: a verb that names what to do, followed by at least two words saying to
#: what (*lower*, word start). Decision (review of issue #5): a concrete step after a generic
#: verb clears the vague flag, as a channel does. In 'Follow up on the "Q3 bundle" offer:
#: answer the two open questions on the SLA' the reader knows exactly what to do; the channel
#: is left to them, just as in a text with no generic verb at all ("Prepare the contract"),
#: which is never flagged. The step verb alone is not enough: in "Contact the client to
#: confirm" nothing says *what* to confirm, so it stays vague. Generic verbs ("clarify",
#: "discuss", "уточнить") are never steps.
CONCRETE_STEPS = (
    _words(
        r"(?:answer|ask|confirm|request|collect|book)(?:s|ed|ing)?",
        r"agree(?:s|d|ing)?",
        r"(?:schedul|arrang|prepar|negotiat)(?:e|es|ed|ing)",
        # Russian verb stems and the rest of the word
        r"ответ(?:ить|ьте)",
        r"(?:задат|спроси|подтверд|согласова|договорит|назнач|забронир|подготов|запроси"
        r"|собрат|собери)[а-яё]*",
    )
    # ...then the object: at least two more words ("the budget", "на два вопроса")
    + f"{_WS}+{_NOT_WS}+{_WS}+[{_LETTER}]"
)

# Russian stems of documents: each names a method and, without a link, a missing material.
_DOCUMENTS_RU = (
    r"скрипт",
    r"чек-?лист",
    r"шаблон",
    r"кп" + _END,
    r"презентац",
    r"прайс",
    r"каталог",
    r"буклет",
    r"договор",
    r"инструкц",
    r"регламент",
    r"памятк",
    r"анкет",
    r"бриф",
)

#: A named method: material, procedure or step list (*lower*, word start).
METHOD_TERMS = (
    _words(
        r"script",
        r"check-?list",
        r"template",
        r"offer",
        r"proposal",
        r"quote",
        r"presentation",
        r"deck" + _END,
        r"price[ -]?list",
        r"brochure",
        r"catalog",
        r"contract",
        r"agreement",
        r"instruction",
        r"playbook",
        r"guide",
        r"regulation",
        r"questionnaire",
        r"brief" + _END,
        r"agenda",
        r"qualif",
        r"bant" + _END,
        r"spin" + _END,
        r"discovery",
        r"needs analysis",
        r"according to",
        r"as per",
        r"steps?" + _END,
        r"stage",
        # Russian stems
        *_DOCUMENTS_RU,
        r"коммерческ",
        r"предложени",
        r"повестк",
        r"квалифиц",
        r"потребност",  # выявить потребности
        r"демонстрац",
        r"этап",
        r"шаг",
        r"сценари",
        r"согласно",
        r"по схеме",
        r"по алгоритм",
    )
    + f"|(?:^|{_WS})1[.)]{_WS}"
)  # a numbered list of steps

#: Materials that live in a document, so a link to it is expected (*lower*, word start).
MATERIALS_NEEDING_LINK = _words(
    r"script",
    r"check-?list",
    r"template",
    r"(?:the|our|an|commercial|price) offer",
    r"proposal",
    r"presentation",
    r"deck" + _END,
    r"price[ -]?list",
    r"brochure",
    r"catalog",
    r"contract",
    r"agreement",
    r"instructions",
    r"playbook",
    r"regulation",
    r"questionnaire",
    r"brief" + _END,
    *_DOCUMENTS_RU,
    r"коммерческ[а-яё]* предложени",
)

#: A link: a URL with a scheme (``https://``, ``ftp://``, ``crm://``) or starting ``www.``;
#: the whole URL is matched so it can be cut out before the wording is judged (*lower*).
LINK = f"[a-z][a-z0-9+.-]*://{_NOT_WS}+|{_START}www\\.{_NOT_WS}+"

#: HTML markup, removed before the wording is judged (the raw text is still what is shown,
#: escaped): comments, ``<script>``/``<style>`` elements with their code, tags of known HTML
#: elements and character references (``&amp;``, ``&#39;``). Only known element names count,
#: so CRM text in angle brackets ("ask for the <PO number>", "Blue <Sky> Logistics") stays
#: words. Case-insensitive.
_TAG_NAMES = (
    "a|abbr|article|audio|b|base|blockquote|body|br|button|center|code|col|dd|del|details"
    "|div|dl|dt|em|embed|font|footer|form|frame|h[1-6]|head|header|hr|html|i|iframe|img|input"
    "|ins|label|li|link|main|mark|meta|nav|object|ol|option|p|pre|q|s|section|select|small"
    "|source|span|strong|sub|summary|sup|svg|table|tbody|td|textarea|th|thead|title|tr|u|ul"
    "|video"
)
_TAG_REST = f"(?:[/{_WS[1:-1]}][^<>]*)?>"
MARKUP = "(?i)" + "|".join(
    [
        "<!--(?s:.*?)-->",
        f"<script{_TAG_REST}(?s:.*?)</script{_WS}*>",
        f"<style{_TAG_REST}(?s:.*?)</style{_WS}*>",
        f"</?(?:{_TAG_NAMES}|script|style){_TAG_REST}",
        "&(?:[a-z][a-z0-9]*|#[0-9]+|#x[0-9a-f]+);",
    ]
)

#: Unrendered template placeholders (original case): ``{{x}}``, ``${x}``, ``{x}``, ``%X%``,
#: ``#X#`` and upper-case ``[NAME]``.
PLACEHOLDER = "|".join(
    [
        r"\{\{[^{}]*\}\}",
        r"\$\{[^{}]*\}",
        "\\{[^{} \t\r\n\u00a0]{1,40}\\}",
        r"%[A-Za-zА-ЯЁа-яё_][A-Za-zА-ЯЁа-яё0-9_.]*%",
        r"#[A-Za-zА-ЯЁа-яё_][A-Za-zА-ЯЁа-яё0-9_.]*#",
        r"\[[A-ZА-ЯЁ_][A-ZА-ЯЁ0-9_. ]*\]",
    ]
)

#: Traces of an empty CRM field substituted into a template (original case): two or more
#: spaces between words ("Call  about"), empty brackets or quotes, ``, ,``, or a null marker.
#: Two spaces after sentence punctuation (``.!?:;``, "Call him.  Then...") are a typing
#: habit, not a gap, and spaces at a line break are layout: neither counts.
EMPTY_SUBSTITUTION = "|".join(
    [
        f"[^ \t\r\n\u00a0.!?:;]  +{_NOT_WS}",
        f"\\({_WS}*\\)",
        f"\\[{_WS}*\\]",
        f"\\{{{_WS}*\\}}",
        r'""',
        f"«{_WS}*»",
        f",{_WS}*,",
        r"(?:^|[^A-Za-z])(?:null|NULL|undefined|NaN)(?:$|[^A-Za-z])",
    ]
)

#: The text ends on a preposition or conjunction (a field after it came out empty) (*lower*).
DANGLING_END = (
    _START
    + r"(?:about|for|with|to|at|on|of|from|by|re|regarding|and|or"
    + r"|по|для|с|со|о|об|на|к|ко|у|от|про|в|во|и|или)"
    + f"{_WS}*[,:;.\\-–—]?{_WS}*$"
)

#: One word: a run of letters or digits, joined by ``-`` or an apostrophe (*lower*).
WORD = r"[0-9a-zа-яё]+(?:[-'’][0-9a-zа-яё]+)*"

#: The rest of a word after a matched stem ("связат" + "ься") (*lower*).
WORD_TAIL = "[0-9a-zа-яё]*"

#: The flags, in the order they are reported.
FLAGS = (
    "flag_empty",
    "flag_vague_action",
    "flag_no_method",
    "flag_no_link",
    "flag_template_trouble",
    "flag_too_short",
    "flag_too_long",
    "flag_no_deadline",
)

#: Points a raised flag takes off 100; the score is floored at 0. An empty description
#: loses everything. Vague verbs and broken templates cost most: they mislead or say nothing;
#: one or two words ("Call", "todo", "see above") land in the poor band even without them.
DEFAULT_WEIGHTS: dict[str, float] = {
    "flag_empty": 100.0,
    "flag_vague_action": 35.0,
    "flag_no_method": 25.0,
    "flag_no_link": 15.0,
    "flag_template_trouble": 35.0,
    "flag_too_short": 30.0,
    "flag_too_long": 10.0,
    "flag_no_deadline": 20.0,
}

#: Quality bands from best to worst.
BANDS = ("good", "fair", "poor")

#: The fixed part of each flag's one-line explanation (some get the matched text added), in
#: English: :func:`workbench.quality.score.score_descriptions` translates them when it scores.
FLAG_MESSAGES: dict[str, str] = {
    "flag_empty": N_("empty description"),
    "flag_vague_action": N_("vague verb with no channel or step: say how (call, e-mail, meeting)"),
    "flag_no_method": N_("no method: name the script, checklist, template, offer or steps"),
    "flag_no_link": N_("mentions a material but gives no link to it"),
    "flag_template_trouble": N_("template problem"),
    "flag_too_short": N_("too short"),
    "flag_too_long": N_("too long: keep it brief"),
    "flag_no_deadline": N_("the task has no deadline"),
}
