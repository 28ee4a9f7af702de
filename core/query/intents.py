"""Intent from keywords: a weighted table per intent, Russian stems and English words.

Words that name a specific view (прогноз, бюджет, аномалии, топ, отчёт) weigh more than the
general spend words (расходы, сколько), which appear in almost every question. Ties go to the
more specific intent in `PRIORITY`. A typo-tolerant pass runs only when nothing specific matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from core.query.lexicon import NUM, UNIT, number_value, within_one_edit
from core.query.model import Intent

__all__ = ["IntentHit", "NOT_A_QUESTION", "OFF_TOPIC", "PRIORITY", "detect_intent", "find_top_n",
           "is_keyword"]

PRIORITY: tuple[Intent, ...] = (
    Intent.REPORT, Intent.FORECAST, Intent.BUDGET, Intent.ANOMALIES, Intent.RECOMMENDATIONS,
    Intent.TOP, Intent.TREND, Intent.RESOURCES, Intent.SPEND,
)

_W = r"[а-яa-z]*"
_COSTLY = r"(?:дорог|затратн|крупн|больш|прожорлив|жадн|жирн|тяжел|дорогущ|расходн)"
"""Stems of the adjectives people put after "самые" for the most expensive things."""
_COSTLY_EN = r"(?:priciest|costliest|dearest|most\s+expensive|most\s+costly|most\s+pricey)"
_NOT_UNIT = rf"(?!\s+{UNIT})"
""""Первые 10 дней", "the first 10 days of October": a period, not the top ten."""
_BULK = (rf"основн{_W}\s+(?:деньг|денег|расход|трат|затрат|част|стать|стат|потребител){_W}"
         rf"|главн{_W}\s+(?:стать|стат|расход|трат|затрат|потребител|пожирател){_W}"
         rf"|(?:в|на)\s+как(?:ие|ой|ую|ое)\s+(?:[а-я]+\s+)?(?:уход|ид[уеё]т|трат|утека|слива"
         rf"|тратя){_W}|bulk\s+of|most\s+of\s+(?:the\s+|our\s+)?(?:money|spend{_W}|costs?"
         rf"|bill|cash)|main\s+(?:cost|expense|spend){_W}")
"""Where the bulk of the money goes: "в какие сервисы уходят основные деньги"."""
_TABLE: tuple[tuple[Intent, int, str], ...] = (
    # spend: the general words, weak on purpose
    (Intent.SPEND, 1, rf"потрат{_W}|трат{_W}|расход{_W}|затрат{_W}|стои[тлм]{_W}|стоят"
                      rf"|заплат{_W}|плат(?:им|ят|ит|или|ил){_W}|сколько|скока|сколко|скок|скоко|счет{_W}"
                      rf"|деньг{_W}|денег|сумм{_W}|итого|обош[её]л{_W}|обошл{_W}|уход{_W}"
                      rf"|ушл[оа]|съел{_W}|сожр{_W}|жр[еу]т|burn{_W}|spend{_W}|spent|costs?|costing|expens{_W}|bill{_W}"
                      rf"|бабл{_W}|бабк{_W}|бабок|бабос{_W}|лаве|spnd|spen|damage"
                      r"|paid|pay(?:ing)?|charges?|total|how\s+m[a-z]*ch"
                      # colloquial past verbs and nouns of spending ("почём вышел", "слили")
                      rf"|поч[её]м|вышл[оаи]|вышел|слил{_W}|спустил{_W}|отдал{_W}|отвалил{_W}"
                      rf"|выложил{_W}|набежал{_W}|натикал{_W}|накапал{_W}|потрачен{_W}"
                      rf"|издерж{_W}|чек{_W}|инвойс{_W}|invoice{_W}|outlay|expenditure{_W}"
                      rf"|burned|burnt|billed|charged|owe{_W}|обход(?:ит|ят|ил){_W}"
                      rf"|кост(?:ы|ов|ам|ах)"
                      # "скинь цифру по бд": the number asked for is the sum
                      rf"|цифр(?:у|ы|а|ой|ами)|циферк{_W}|figures?|the\s+numbers?"
                      # the to-date abbreviations of finance reports: "MTD по Яндекс Прод"
                      r"|mtd|qtd|ytd|wtd"),
    (Intent.SPEND, 3, rf"сколько\s+(?:[а-яa-z0-9-]+\s+){{0,3}}"
                      rf"(?:сто|обош|потрат|заплат|плат|трат|ушло"
                      rf"|вышл|слил|сожр|съел|отдал|набежал|встал|влетел|уход|ушл|ид[её]т|тратим|тратит"
                      rf"|тратя|съеда|сжира|жр[еу]т|набега){_W}"
                      # "во что нам обходится X": a money verb beats a resource's name
                      rf"|во\s+(?:что|сколько)\s+(?:[а-я]+\s+)?(?:обход|обош|встал|встает"
                      rf"|встают){_W}"
                      # "how much did the VMs cost": the verb, not the noun, says spend
                      rf"|how\s+much\s+(?:did|do|does|have|has|had)\s+[a-z0-9\s'-]*?"
                      rf"(?:cost|spend|spent|burn|run\s+us|set\s+us\s+back)"
                      rf"|what\s+(?:did|does|do)\s+[a-z0-9\s'=:_.-]*?(?:cost|spend|run\s+us)"
                      rf"|how\s+much\s+(?:are|is|were|was)\s+[a-z0-9'-]+\s+(?:paying|spending"
                      rf"|costing|burning|being\s+(?:charged|billed))"),
    # a "total" word makes "по облакам" the scope of one sum, not a breakdown
    (Intent.SPEND, 5, rf"(?:итого|итог|суммарно|сумм[аыу]|в\s+сумме|в\s+общей\s+сложности|всего"
                      rf"|общ(?:ий|ая|ие)\s+(?:сумм|расход|счет|затрат){_W})"
                      rf"\s+(?:по|на|за)\s+(?:всем\s+)?(?:облак|провайдер|аккаунт|подключени"
                      rf"|кабинет){_W}|(?:total|overall|combined|altogether|in\s+total)\s+"
                      rf"(?:[a-z]+\s+)?across\s+(?:all\s+)?(?:the\s+|our\s+)?(?:clouds?|providers?"
                      rf"|accounts?)"),
    # top
    (Intent.TOP, 4, rf"(?:топ|top)(?:\s*-?\s*\d+)?|сам{_W}\s+{_COSTLY}{_W}"
                    rf"|дорож{_W}\s+всего|больше\s+всего|наиболее\s+{_COSTLY}{_W}"
                    rf"|{_COSTLY}{_W}\s+(?:ресурс|сервис|сервер|сервак|проект|виртуал|машин"
                    rf"|инстанс|команд|баз|диск|бакет){_W}|{_COSTLY_EN}"
                    rf"|most\s+(?:expensive|costly|pricey)|biggest|largest|highest|the\s+most"
                    rf"|heaviest|hungriest|top\s+spenders?|cost\s+leaders?"
                    rf"|разбивк{_W}|в\s+разрезе|breakdown|лидер{_W}|крупнейш{_W}"
                    rf"|на\s+что\s+(?:уход|трат|ид[её]т|утека|слива){_W}"
                    rf"|куда\s+(?:уход|утека|уплыва|слива|ид[её]т|девают|трат){_W}|cost\s+drivers?"
                    rf"|where(?:'s|\s+is|\s+does|\s+did|\s+do)\s+(?:all\s+)?(?:the\s+|our\s+)?"
                    rf"(?:money|cash|budget|spend)\s+go{_W}|spenders?"
                    rf"|(?:первые|first)\s+{NUM}{_NOT_UNIT}|{_BULK}|{NUM}\s+(?:сам{_W}\s+)?{_COSTLY}{_W}|{NUM}\s+{_COSTLY_EN}"
                    rf"|больше\s+всех|по\s+(?:командам|проектам|сервисам|провайдерам|регионам"
                    rf"|подключениям|ресурсам|тегам|каждому|каждой)|(?:by|per)\s+(?:team|project|service"
                    rf"|provider|region|cloud|connection|account|resource|tag)s?"),
    # trend
    (Intent.TREND, 4, rf"динамик{_W}|тренд{_W}|trend{_W}|график{_W}|chart{_W}|graph{_W}"
                      rf"|plot{_W}|по\s+(?:дням|неделям|месяцам)|помесячн{_W}"
                      r"|понедельн(?:ая|ой|ую|ые|ых|ым|о|ый)"
                      rf"|daily|weekly|monthly|over\s+time|per\s+(?:day|week)|как\s+(?:менял|измен|рос|рост){_W}"
                      rf"|how\s+(?:did|has|have)\s+[a-z0-9\s'-]*chang{_W}|month\s+over\s+month"
                      rf"|по\s+дн[яе]м|подневн{_W}|понедельно|поквартальн{_W}|по\s+кварталам"
                      rf"|истори{_W}|history|timeline|over\s+the\s+(?:months|weeks|days)"
                      rf"|(?:by|per)\s+(?:day|week|month|quarter)|day\s+by\s+day"
                      rf"|week\s+(?:by|over)\s+week|month\s+by\s+month|mom|yoy|year\s+over\s+year"
                      # one period against the one before: "месяц к месяцу", "г/г", "QoQ"
                      rf"|(?:день|недел[яю]|мес(?:яц)?|квартал|год)\s+к\s+(?:дню|неделе|мес(?:яцу)?"
                      rf"|кварталу|году)|[мгкн]\s*/\s*[мгкн]|qoq"
                      rf"|(?:day|week|month|quarter|year)[\s-]+over[\s-]+(?:day|week|month|quarter"
                      rf"|year)"
                      rf"|(?:как|куда)\s+(?:движ|идут|ид[её]т|меня[ею]тся){_W}|evolv{_W}|trajectory"
                      # how costs behaved over a period: "как вели себя затраты"
                      rf"|как\s+(?:[а-я]+\s+)?(?:вел[аио]?|ведут|вед[её]т)\s+себя"
                      rf"|как\s+себя\s+(?:вел[аио]?|ведут|вед[её]т)"
                      rf"|how\s+(?:did|have|has|are|is|were|was)\s+[a-z0-9\s'-]*behav{_W}"
                      # "is it going up?", "расходы ползут вверх?", "снижаются ли"
                      rf"|(?:going|trending|creeping|heading|moving|ticking|climbing)\s+"
                      rf"(?:up|down|upwards?|downwards?|higher|lower)|rising|increasing|growing"
                      rf"|decreasing|declining|falling|dropping|вверх|вниз"
                      rf"|(?:снижа|увеличива|уменьша)(?:ют|ет)ся|пада(?:ют|ет)"),
    (Intent.TREND, 2, rf"рост{_W}|рос(?:ли|ло|ла)|вырос{_W}|раст(?:ут|[её]т|ем)|сравн{_W}"
                      rf"|compar{_W}|vs\.?|versus|против"),
    # forecast
    (Intent.FORECAST, 5, rf"прогноз{_W}|спрогноз{_W}|forecast{_W}|predict{_W}|projected"
                         rf"|projection{_W}|сколько\s+будет|будет\s+стоить|будем\s+(?:плат|трат)"
                         rf"{_W}|потратим|заплатим|ожида{_W}|expected|run[\s-]?rate"
                         rf"|какой\s+будет|what\s+will|набеж(?:ит|ат){_W}|обойд[её]тся"
                         rf"|выйдет|вылет(?:ит|им)|накап(?:ает|ит)"
                         rf"|will\s+(?:we|it|[a-z]+)\s+(?:spend|cost)|end\s+up\s+(?:at|with|paying)"
                         rf"|прикин{_W}|оцен(?:ка|ку|и|ить)\s+(?:расход|затрат|трат)"
                         rf"{_W}|estimat{_W}|outlook|going\s+to\s+(?:spend|cost|be)"
                         rf"|how\s+much\s+will"
                         # the bill still to come: "какой счёт прилетит", "во что выльется"
                         rf"|прилет(?:ит|ят)|прид[её]т|придут|выставя?т|насчитаю?т|спишу?т"
                         rf"|влет(?:ит|ят)|встан(?:ет|ут)|выльет(?:ся|ся)|выльются|натикает"
                         rf"|потянет|обойдутся"
                         # a money verb in the future tense: "сколько ещё сожрут базы"
                         rf"|сожрут|сожр[её]т|съедят|съест|уйд[её]т|уйдут|потратят|потратит"
                         rf"|спалим|сожж[её]м|will\s+(?:[a-z]+\s+)?(?:eat|burn|cost|run\s+us)"
                         rf"|will\s+(?:the\s+)?(?:[a-z]+\s+)?(?:bill|invoice"
                         rf"|total)\s+be"),
    # planning a budget is what a forecast is for: "прогноз ... для бюджетного планирования"
    (Intent.FORECAST, 2, rf"бюджетн{_W}\s+планировани{_W}|планировани{_W}\s+бюджет{_W}"
                         rf"|budget(?:ing)?\s+planning|planning\s+(?:the\s+|our\s+)?budgets?"),
    # budget
    (Intent.BUDGET, 6, rf"бюджет{_W}|бюжет{_W}|budget{_W}|лимит{_W}|limits?|уложимся"
                       rf"|укладываемся|превыс{_W}|перерасход{_W}|overrun|over\s+budget"
                       rf"|on\s+track|exceed{_W}|впиш{_W}|вписыва{_W}|влез{_W}"
                       rf"|хват(?:ит|ает|ило)\s+ли|хватит\s+(?:ли\s+)?(?:денег|бабла|бюджет{_W})"
                       rf"|квот{_W}|quota{_W}|cap|over\s+the\s+limit"
                       rf"|сколько\s+(?:ещ[её]\s+)?(?:осталось|остается)|осталось\s+(?:потратить"
                       rf"|денег|бюджета)|left\s+to\s+spend|remaining|headroom"
                       # plan versus actual: "план/факт за сентябрь", "budget vs actual"
                       rf"|план\s*(?:/|-|vs\.?|против|и)?\s*факт{_W}"
                       rf"|факт{_W}\s*(?:/|-|vs\.?|против)\s*план{_W}"
                       rf"|(?:plan|budget)\s*(?:/|-|vs\.?|versus|and)\s*actuals?"
                       rf"|actuals?\s*(?:/|-|vs\.?|versus)\s*(?:plan|budget)"),
    # recommendations
    (Intent.RECOMMENDATIONS, 5, rf"рекоменд{_W}|совет{_W}|посовет{_W}|сэконом{_W}|эконом{_W}"
                                rf"|оптимиз{_W}|урез{_W}|сократ{_W}|сниз{_W}|переплач{_W}|выключ{_W}"
                                rf"|неиспольз{_W}|простаива{_W}|среза{_W}|срежем|урежем"
                                rf"|(?:можно|стоит|нужно|надо)\s+(?:удалить|убрать|выключить|отключить)"
                                rf"|лишн{_W}|зомби|сирот{_W}"
                                rf"|saving{_W}|save|cut{_W}|reduc{_W}|optimi[sz]{_W}|recommend{_W}"
                                rf"|advice|tips?|rightsiz{_W}|recs?|idle|unused|zombie{_W}"
                                rf"|orphan{_W}|waste{_W}"
                                # "меньше платить", "pay less", "сделать дешевле"
                                rf"|(?:меньше|поменьше|менее)\s+(?:плат|трат|трач)"
                                rf"{_W}|(?:плат|трат)[а-я]*\s+(?:меньше|поменьше)"
                                rf"|(?:сделать|стало|было|станет)\s+дешевле|подешевле|удешев{_W}"
                                rf"|ужать{_W}|ужм[её]м|(?:pay|spend)(?:ing)?\s+less|cheaper"
                                rf"|lower\s+(?:the\s+|our\s+|my\s+)?(?:bill|costs?|spend)"
                                rf"|trim{_W}|downsiz{_W}|overprovision{_W}|overpay{_W}"
                                # buying commitments is a saving decision
                                rf"|reserved\s+(?:instances?|capacity)|reservations?"
                                rf"|commitments?|committed\s+use|savings\s+plans?"
                                rf"|резервировани{_W}|зарезервир{_W}|коммитмент{_W}"
                                rf"|резервированн{_W}"
                                # idle, oversized or wasted: "висят без дела", "впустую"
                                rf"|даунсайз{_W}|райтсайз{_W}|wast(?:e|es|ed|ing|eful)"
                                rf"|теря{_W}\s+деньг{_W}|теряем|впустую|зря"
                                # forgotten or abandoned: "забытые диски", "брошенные бакеты"
                                rf"|забыт{_W}|заброш{_W}|брош?енн{_W}|брошен{_W}|forgotten"
                                rf"|abandon{_W}|stale|dangling|leftover"
                                # "что сделать с X, чтобы дешевле выходило"
                                rf"|чтобы\s+(?:[а-яa-z0-9-]+\s+){{0,4}}(?:дешевле|меньше\s+"
                                rf"(?:плат|трат|стои|обход)){_W}|(?:выход|обход|стоил|обошл)"
                                rf"{_W}\s+дешевле"
                                rf"|без\s+(?:дела|нагрузки|толку|пользы)|не\s+использу{_W}"
                                rf"|никто\s+не\s+пользу{_W}|недогруж{_W}|underutili[sz]{_W}"
                                rf"|under-?used|sitting\s+(?:idle|unused|around)|doing\s+nothing"
                                # making a bill smaller: "как уменьшить счёт", "что порезать"
                                rf"|уменьш(?:ить|им|ать)|пониз(?:ить|им)|порез{_W}|пореж{_W}"
                                rf"|подрез{_W}|подреж{_W}|(?:сделать|сделаем)\s+(?:[а-я]+\s+)"
                                rf"{{0,2}}(?:меньше|поменьше|ниже)|shrink{_W}"
                                rf"|make\s+(?:[a-z'-]+\s+){{0,3}}(?:smaller|lower|cheaper)"
                                rf"|более\s+дешев{_W}|oversiz{_W}|over-sized|переразмер{_W}"),
    # "стоит ли брать…", "is it worth…": a question of advice, weaker than a spike
    (Intent.RECOMMENDATIONS, 4, r"стоит\s+ли|имеет\s+(?:ли\s+)?смысл|есть\s+(?:ли\s+)?смысл"
                                r"|makes?\s+sense"
                                r"|is\s+it\s+worth|worth\s+(?:it|buying|moving|switching)"
                                r"|should\s+we\s+(?:buy|move|switch|get|commit|scale|shut|turn\s+off|delete"
                                r"|remove|drop|stop|resize)"),
    # resources
    (Intent.RESOURCES, 3, rf"инвентар{_W}|запущен{_W}|крут[яи]тся|работает|список{_W}|штук{_W}"
                          rf"|inventory|running|list"
                          # what exists or is set up: "какие бэкапы у нас настроены", "what
                          # databases do we run", "show me everything tagged env=stage"
                          rf"|настроен{_W}|заведен{_W}|подключен{_W}\s+(?:у\s+нас|сейчас)"
                          rf"|(?:what|which)\s+(?:[a-z0-9-]+\s+){{0,3}}(?:do|does|did)\s+(?:we|you)"
                          rf"\s+(?:run|have|host|use|keep|own|maintain)|(?:set\s+up|configured)"
                          rf"|(?:everything|all\s+(?:the\s+)?(?:stuff|things))\s+(?:that(?:'s|\s+is)\s+)?"
                          rf"(?:tagged|labell?ed|with\s+(?:tag|label))|вс[её]\s+(?:что\s+)?(?:с\s+тегом"
                          rf"|помечен{_W}|под\s+тегом)"
                          # what exists: "какие базы у нас есть", "what's deployed in X"
                          rf"|(?:какие|что)\s+(?:[а-я0-9-]+\s+){{0,3}}(?:у\s+нас\s+)?(?:есть"
                          rf"|имеются|имеется)|разв[её]рнут{_W}|развернут{_W}|разворач{_W}"
                          rf"|задеплоен{_W}|deployed|provisioned"
                          rf"|what\s+(?:do|have)\s+we\s+(?:got|have)"
                          # a question about what carries a tag: "what's tagged env=prod"
                          rf"|^(?:а\s+)?(?:what(?:'s|\s+is|\s+are)|which\s+(?:[a-z]+\s+)?(?:is|are)"
                          rf"|что(?:\s+у\s+нас)?(?:\s+есть)?|какие\s+(?:[а-я]+\s+)?)\s+"
                          rf"(?:tagged|labell?ed|помечен{_W}|размечен{_W}|с\s+(?:тегом|меткой)"
                          rf"|под\s+тегом)"),
    # anomalies
    (Intent.ANOMALIES, 5, rf"аномал{_W}|всплеск{_W}|скач[ео]к{_W}|скачк{_W}|выброс{_W}"
                          rf"|странн{_W}|необычн{_W}|подозрит{_W}|внезапн{_W}|резк{_W}"
                          rf"|(?:почему|отчего|с\s+чего|чего\s+(?:это|так|вдруг))\s+(?:\S+\s+){{0,6}}?"
                          rf"(?:вырос|выросл|увелич|подскоч|подорожа|дорожа|раст[уеё]т){_W}"
                          rf"|how\s+come\s+[a-z0-9\s'-]*(?:went\s+up|gr[eo]w|increas|jump|ris)"
                          rf"|anomal{_W}|spikes?|unusual|weird|strange|suspicious|outliers?"
                          rf"|sudden{_W}|jumps?|surge{_W}|odd|abnormal{_W}|irregular"
                          rf"|откуда\s+(?:так[а-я]*\s+|эт[а-я]*\s+)?(?:рост|скач|расход|счет|сумм){_W}"
                          rf"|с\s+чего\s+(?:вдруг|так)|алерт{_W}|alerts?"
                          rf"|why\s+(?:did|do|does|is|are|have|has)\s+[a-z\s]*(?:go\s+up|increas|grow"
                          rf"|jump|ris){_W}"
                          rf"|подскоч{_W}|взлет{_W}|взлете{_W}|взмыл{_W}|рванул{_W}|пик{_W}"
                          rf"|peaks?|спайк{_W}|аномальн{_W}|что\s+(?:случилось|произошло|за\s+фигня)"
                          rf"|what\s+happened|почему\s+так\s+(?:дорого|много)"
                          rf"|why\s+(?:did|does|is|has)\s+[a-z0-9\s'-]*(?:get|got|become|gotten)"
                          rf"\s+(?:more\s+expensive|pricier|dearer)"
                          rf"|why\s+(?:is|was|so)\s+(?:it\s+|the\s+bill\s+)?(?:so\s+)?(?:high|expensive)"
                          rf"|ballooned|shot\s+up|went\s+up|blew\s+up|skyrocket{_W}"
                          # "выше обычного", "higher than usual"
                          rf"|(?:выше|больше|дороже),?\s+(?:чем\s+)?(?:обычн{_W}|нормы"
                          rf"|нормальн{_W}|средн{_W}|привычн{_W})|не\s+как\s+обычно"
                          rf"|(?:higher|more|bigger|larger|above|over)\s+(?:than\s+)?(?:usual"
                          rf"|normal|average)"),
    # report
    (Intent.REPORT, 7, rf"отчет{_W}|report{_W}|pdf{_W}|пдф{_W}|брифинг{_W}|brief{_W}|сводк{_W}"
                       rf"|summary|digest|дайджест{_W}|выгруз{_W}|export{_W}|экспорт{_W}|csv"
                       rf"|excel|эксел{_W}|ексел{_W}|xlsx?|spreadsheet{_W}"
                       rf"|таблиц{_W}|табличк{_W}|download|скача{_W}|файл{_W}|file|выписк{_W}"
                       rf"|statement"
                       # a deliverable for someone; "финдир спрашивает" is only who asks
                       rf"|(?:для|for)\s+(?:the\s+|our\s+|нашего\s+)?(?:финдир{_W}"
                       rf"|фин\.?\s*директор{_W}|cfo|руководств{_W}|начальств{_W}|board"
                       rf"|management)"),
)

_KIND_NOUNS = (rf"ресурс{_W}|сервер(?!н){_W}|сервак{_W}|вирту[ао]л{_W}|вм|вмк{_W}"
               rf"|инстанс{_W}|машин{_W}|тач(?:к|ек){_W}|диск{_W}|бакет{_W}|нод[аыу]?"
               rf"|вирт(?:а|у)лк{_W}|кластер{_W}|clusters?"
               r"|resources?|servers?|vms?|instances?|volumes?|disks?|buckets?|nodes?|hosts?"
               r"|machines?|droplets?")
"""Kinds of resource ("диски", "vms"): what a resources question lists or counts, but in a
sentence with a money word ("затраты на диски", "what did we pay for vms") only the thing the
money went on, so they count for the resources intent only when no money word is present."""
_MONEY = (rf"потрат{_W}|трат{_W}|расход{_W}|затрат{_W}|стои[тлм]{_W}|стоят|стоимост{_W}"
          rf"|заплат{_W}|плат(?:им|ят|ит|или|ил|ишь){_W}|счет{_W}|деньг{_W}|денег|сумм{_W}"
          rf"|итого|обош[её]л{_W}|обошл{_W}|обход(?:ит|ят|ил){_W}|уход{_W}|ушл[оа]|ушел"
          rf"|съел{_W}|сожр{_W}|жр[еу]т|поч[её]м|вышл[оаи]|вышел|слил{_W}|отдал{_W}"
          rf"|бабл{_W}|бабк{_W}|бабок|лаве|цифр{_W}|кост(?:ы|ов|ам|ах)"
          rf"|burn{_W}|spend{_W}|spent|costs?|costing|expens{_W}|bill{_W}|paid|pay(?:ing)?"
          rf"|charges?|charged|invoice{_W}|money|damage|price{_W}|priced")
"""Words about money; "сколько" and "how many" are not among them: they count resources too."""

NOT_A_QUESTION = re.compile(
    r"(?<![\w])(?:"
    r"(?:дай|дайте|займи|займите|одолжи|одолжите|скинь|скиньте|кинь|подкинь)\s+(?:мне\s+|нам\s+)?"
    r"(?:денег|деньги|бабл[а-я]*|бабк[а-я]*|лаве|налом?)"
    r"|(?:переведи|переведите|перечисли|перечислите|оплати|оплатите|заплати|заплатите)(?![\w])"
    r"|денег\s+нет|нет\s+денег"
    r"|give\s+(?:me|us)\s+(?:some\s+)?(?:money|cash)|send\s+(?:me\s+|us\s+)?(?:some\s+)?money"
    r"|transfer\s+(?:the\s+)?money|lend\s+(?:me|us)|pay\s+(?:the|this|that|our|my)\s"
    r")")
"""Requests for an action or a remark about money, not questions about spend ("дай денег",
"оплати счёт", "pay the invoice"): answered as not understood rather than with a sum."""

OPERATE = re.compile(
    r"(?<![\w])(?:"
    r"(?:пере)?загрузи(?:те)?|перезапусти(?:те)?|ребутни(?:те)?|рестартани(?:те)?|удали(?:те)?"
    r"|снеси(?:те)?|грохни(?:те)?|убей(?:те)?|создай(?:те)?|разверни(?:те)?|задеплой(?:те)?"
    r"|выключи(?:те)?|включи(?:те)?|отключи(?:те)?|останови(?:те)?|запусти(?:те)?"
    r"|(?:от|с)?масштабируй(?:те)?|увеличь(?:те)?|добавь(?:те)?|уничтожь(?:те)?|почисти(?:те)?"
    r"|перенеси(?:те)?|смигрируй(?:те)?|откати(?:те)?"
    r")(?![\w])"
    r"|^(?:(?:please|pls|plz|can\s+you|could\s+you|would\s+you|go\s+and|hey,?)\s+)*"
    r"(?:restart|reboot|delete|remove|create|spin\s+(?:up|down)|launch|deploy|stop"
    r"|start(?!\s+(?:of|date))|shut\s+down|terminate|destroy|kill|resize|provision|upgrade"
    r"|migrate|roll\s+back|scale\s+(?:up|down|out|in)|turn\s+(?:off|on)|power\s+(?:off|on)"
    r"|clean\s+up|wipe)(?![\w])")
"""Orders to operate the infrastructure ("перезагрузи сервер", "restart the prod cluster",
"scale up"): the bot reads costs and does not operate anything, so they are not understood
rather than answered with a list of servers. Russian imperatives anywhere; English ones at
the start of the sentence, where the imperative mood is unambiguous ("start" of a month is
not a command)."""

OFF_TOPIC = re.compile(
    r"(?<![\w])(?:"
    r"сколько\s+(?:сейчас\s+)?времени|который\s+(?:сейчас\s+)?час|what\s+time\s+is\s+it"
    r"|what'?s\s+the\s+time"
    # age: "сколько лет селектелу", "how old is selectel" (not "сколько лет платим за aws")
    r"|сколько\s+(?:[а-я]+\s+)?лет(?!\s+назад)(?![^?]*(?:плат|трат|расход|затрат|сто[иля]))"
    r"|how\s+old\s+(?:is|are|was)"
    # people: "сколько человек в отделе", "how many engineers" (not "сколько тратим на человека")
    r"|сколько\s+(?:(?!сто|плат|трат|расход|затрат|ушл|уход|на\b)[а-я]+\s+){0,3}"
    r"(?:человек|людей|народ[ау]?|сотрудник[а-я]*|работник[а-я]*|разработчик[а-я]*"
    r"|программист[а-я]*|инженер[а-я]*|девопс[а-я]*|админ[а-я]*|пользовател[а-я]*|юзер[а-я]*)"
    r"(?![а-я])"
    r"|how\s+many\s+(?:[a-z]+\s+)?(?:people|persons|employees|engineers|developers|devs|staff"
    r"|users|members|admins|folks)(?!\w)|headcount"
    r"|(?:сколько\s+будет|посчитай|вычисли|how\s+much\s+is|what\s+is|what'?s|calculate)\s+"
    r"\d+(?:[.,]\d+)?\s*(?:[-+*/×:]|плюс|минус|умножить\s+на|делить\s+на|разделить\s+на"
    r"|plus|minus|times|divided\s+by)\s*\d+(?:[.,]\d+)?\s*(?:=|\?|!|$)"
    r"|\d+(?:[.,]\d+)?\s*[+*×]\s*\d+(?:[.,]\d+)?\s*(?:=|\?|$)"
    r")")
"""The time of day and arithmetic ("сколько времени?", "сколько будет 2+2"): "сколько" here
asks for no cost, so they are not understood rather than answered with a sum."""

_COMPILED: tuple[tuple[Intent, int, re.Pattern[str]], ...] = tuple(
    (intent, weight, re.compile(rf"(?<![\w])(?:{pattern})(?![\w])"))
    for intent, weight, pattern in _TABLE
)
_VIEWS = frozenset({Intent.REPORT, Intent.FORECAST, Intent.BUDGET, Intent.ANOMALIES})
_VIEW_WEIGHT = 5
"""A view that a command word may also ask for ("выгрузи и перешли отчёт", "запусти прогноз")
keeps its intent; a command about servers or costs does not."""
_KIND_RULE = re.compile(rf"(?<![\w])(?:{_KIND_NOUNS})(?![\w])")
_MONEY_WORD = re.compile(rf"(?<![\w-])(?:{_MONEY})(?![\w-])")  # not in "cost-center"

# Canonical keyword spellings for the typo-tolerant pass ("прогнз", "forcast", "рекомендаии").
_FUZZY: tuple[tuple[str, Intent], ...] = (
    ("прогноз", Intent.FORECAST), ("forecast", Intent.FORECAST), ("бюджет", Intent.BUDGET),
    ("budget", Intent.BUDGET), ("рекомендации", Intent.RECOMMENDATIONS),
    ("сэкономить", Intent.RECOMMENDATIONS), ("recommendations", Intent.RECOMMENDATIONS),
    ("аномалии", Intent.ANOMALIES), ("anomalies", Intent.ANOMALIES),
    ("всплески", Intent.ANOMALIES), ("ресурсы", Intent.RESOURCES),
    ("серверы", Intent.RESOURCES), ("resources", Intent.RESOURCES),
    ("динамика", Intent.TREND), ("график", Intent.TREND), ("trend", Intent.TREND),
    ("отчет", Intent.REPORT), ("report", Intent.REPORT), ("потратили", Intent.SPEND),
    ("расходы", Intent.SPEND), ("затраты", Intent.SPEND), ("spend", Intent.SPEND),
    ("expenses", Intent.SPEND), ("сколько", Intent.SPEND), ("стоимость", Intent.SPEND),
    ("потратим", Intent.FORECAST), ("прогнозу", Intent.FORECAST),
    ("бюджета", Intent.BUDGET), ("лимиты", Intent.BUDGET),
    ("оптимизация", Intent.RECOMMENDATIONS), ("экономия", Intent.RECOMMENDATIONS),
    ("optimize", Intent.RECOMMENDATIONS), ("savings", Intent.RECOMMENDATIONS),
    ("аномалия", Intent.ANOMALIES), ("всплеск", Intent.ANOMALIES), ("anomaly", Intent.ANOMALIES),
    ("spikes", Intent.ANOMALIES), ("виртуалки", Intent.RESOURCES), ("servers", Intent.RESOURCES),
    ("инстансы", Intent.RESOURCES), ("instances", Intent.RESOURCES),
    ("динамику", Intent.TREND), ("тренды", Intent.TREND),
    ("выгрузка", Intent.REPORT), ("выгрузи", Intent.REPORT),
)
_WORD = re.compile(r"[а-яa-z]{5,}")
_FUZZY_CUTOFF = 0.8

_GROUPS: dict[str, int] = {
    "двойк": 2, "тройк": 3, "четверк": 4, "пятерк": 5, "шестерк": 6, "семерк": 7,
    "восьмерк": 8, "девятк": 9, "десятк": 10, "дюжин": 12,
}
"""Collective numerals for a group of N ("пятёрка самых дорогих", "десятку", "дюжину")."""
_GROUP_N = re.compile(rf"(?<![\w])(?P<g>{'|'.join(_GROUPS)})[а-я]*(?![\w])")

_GROUP_NOUN = (r"команд[а-я]*|проект[а-я]*|сервис[а-я]*|провайдер[а-я]*|облак[а-я]*"
               r"|регион[а-я]*|ресурс[а-я]*|сервер[а-я]*|виртуал[а-я]*|вм(?:к[а-я]*)?|диск[а-я]*"
               r"|бакет[а-я]*|баз[а-я]*|подключени[а-я]*|аккаунт[а-я]*|статей|стать[а-я]*"
               r"|teams?|projects?|services?|providers?|clouds?|regions?|resources?|servers?"
               r"|vms?|instances?|disks?|buckets?|databases?|accounts?|connections?")
"""What a ranking ranks: a number before it is how many ("какие 4 команды")."""
_TOP_N = (
    re.compile(rf"(?<![\w])(?:топ|top)\s*-?\s*(?P<n>{NUM})(?![\w])"),
    re.compile(rf"(?<![\w])(?:первые|first)\s+(?P<n>{NUM})(?![\w]){_NOT_UNIT}"),
    # "какие 4 команды тратят больше всего", "which 3 projects cost the most"
    re.compile(rf"(?<![\w])(?:как(?:ие|их|им)|which|what)\s+(?P<n>{NUM})\s+(?:[а-яa-z]+\s+)?"
               rf"(?:{_GROUP_NOUN})(?![\w])"),
    re.compile(rf"(?<![\w])(?P<n>{NUM})\s+(?:[а-яa-z]+\s+)?(?:сам[а-я]*|наиболее|most|biggest"
               rf"|largest|top|{_COSTLY}[а-я]*|{_COSTLY_EN}|heaviest|hungriest"
               r"|cost\s+the\s+most)(?![\w])"),
)


@dataclass(frozen=True, slots=True)
class IntentHit:
    intent: Intent
    spans: tuple[tuple[int, int], ...]
    command: bool = False
    """An order to operate the infrastructure: refused whole, its names are no filters."""


def _score(text: str) -> tuple[dict[Intent, int], dict[Intent, list[tuple[int, int]]]]:
    scores: dict[Intent, int] = {}
    spans: dict[Intent, list[tuple[int, int]]] = {}
    for intent, weight, pattern in _COMPILED:
        hits = [m.span() for m in pattern.finditer(text)]
        if hits:
            scores[intent] = scores.get(intent, 0) + weight
            spans.setdefault(intent, []).extend(hits)
    kinds = [m.span() for m in _KIND_RULE.finditer(text)]
    if kinds and _MONEY_WORD.search(text) is None:
        scores[Intent.RESOURCES] = scores.get(Intent.RESOURCES, 0) + 3
    if kinds:
        spans.setdefault(Intent.RESOURCES, []).extend(kinds)
    return scores, spans


@lru_cache(maxsize=4096)
def _closest(word: str) -> Intent | None:
    """The intent of the keyword `word` is a likely misspelling of (cached: words repeat)."""
    best: tuple[float, Intent | None] = (0.0, None)
    for canon, intent in _FUZZY:
        if word[0] == canon[0] and within_one_edit(word, canon):  # one typo, not the first
            return intent  # letter: "трафик" is a word of its own, not a typo of "график"
        if abs(len(canon) - len(word)) > 2 or canon[0] != word[0]:
            continue
        matcher = SequenceMatcher(None, word, canon)
        if matcher.real_quick_ratio() < _FUZZY_CUTOFF or matcher.quick_ratio() < _FUZZY_CUTOFF:
            continue
        ratio = matcher.ratio()
        if ratio > best[0]:
            best = (ratio, intent)
    return best[1] if best[0] >= _FUZZY_CUTOFF else None


def _fuzzy(text: str, scores: dict[Intent, int],
           spans: dict[Intent, list[tuple[int, int]]]) -> None:
    """Add evidence from misspelt keywords; only called when nothing specific matched."""
    matched = [span for found in spans.values() for span in found]
    for m in _WORD.finditer(text):
        if any(a <= m.start() < b for a, b in matched):
            continue
        intent = _closest(m.group())
        if intent is not None:
            scores[intent] = scores.get(intent, 0) + (1 if intent is Intent.SPEND else 3)
            spans.setdefault(intent, []).append(m.span())


_IDENTIFIER = re.compile(r"(?<![\w-])(?![a-z]+-over-)[a-z0-9]+(?:-[a-z0-9]+){2,}(?![\w-])")
"""A name such as "s3-media-bucket" or "api-backend-prod-01": its words ("bucket") are no
keywords, so "расходы на s3-media-bucket" stays a cost question; "month-over-month" is no name."""


def detect_intent(text: str) -> IntentHit:
    """The best-scoring intent and the keyword spans that supported it (all intents' spans)."""
    if OFF_TOPIC.search(text):
        return IntentHit(Intent.UNKNOWN, ())
    text = _IDENTIFIER.sub(lambda m: " " * len(m.group()), text)
    scores, spans = _score(text)
    if OPERATE.search(text) and max(
            (v for k, v in scores.items() if k in _VIEWS), default=0) < _VIEW_WEIGHT:
        return IntentHit(Intent.UNKNOWN, (), command=True)
    if NOT_A_QUESTION.search(text) and max(
            (v for k, v in scores.items() if k is not Intent.SPEND), default=0) < 3:
        return IntentHit(Intent.UNKNOWN, ())
    if max(scores.values(), default=0) <= 2:
        _fuzzy(text, scores, spans)
    if not scores:
        return IntentHit(Intent.UNKNOWN, ())
    best = max(scores.values())
    winner = next(i for i in PRIORITY if scores.get(i) == best)
    used = tuple(span for found in spans.values() for span in found)
    return IntentHit(winner, used)


def is_keyword(word: str) -> bool:
    """`word` alone is one of the intent table's keywords ("стоит", "cost", "прогноз")."""
    return any(m.span() == (0, len(word)) for _i, _w, pattern in _COMPILED
               for m in pattern.finditer(word))


def find_top_n(text: str) -> tuple[int, tuple[int, int]] | None:
    """N in "топ-5", "5 самых дорогих", "top 10", "первые 7", "пятёрка"; sane values only."""
    for pattern in _TOP_N:
        m = pattern.search(text)
        if m:
            value = number_value(m["n"])
            if value and 0 < value <= 100:
                return value, m.span()
    m = _GROUP_N.search(text)
    return (_GROUPS[m["g"]], m.span()) if m else None
