// The glossary: one Russian and one Kyrgyz word for each term the UI uses, so every screen says
// the same thing the same way. It is code, not only prose, because test/unit/i18n-catalogs.test.ts
// holds the catalogs to it: when an English string says a term, its Russian and Kyrgyz strings must
// say that term's word (any inflection: the check matches stems). GLOSSARY.md, next to this file,
// shows the same table for people, with the writing rules; the test keeps the two in step.
//
// Not imported by the app: nothing here reaches the bundle.

export interface Term {
  /** The term as the English UI says it. */
  en: string;
  ru: string;
  ky: string;
  /** "used": the catalogs say it today. "proposed": for a feature not built yet, to be confirmed when its strings are written. */
  status: "used" | "proposed";
  /** Where the word comes from (how Meet, Zoom and Telegram say it) and what not to say. */
  note?: string;
  /**
   * How the test finds the term: `en` is matched against the English string (placeholders
   * removed), `ru` and `ky` are the stems the translation must then contain. `keys`, if given,
   * limits the check to keys it matches (for an English word with two meanings).
   */
  check?: { en: RegExp; ru: RegExp; ky: RegExp; keys?: RegExp };
}

/** A string that may say a term differently, with the reason. The test fails on an exception no longer needed. */
export interface TermException {
  key: string;
  lang: "ru" | "ky";
  /** `Term.en` of the term. */
  term: string;
  reason: string;
}

// Stems are matched anywhere in a word unless fenced: JavaScript's \b knows no Cyrillic letters,
// so a word start is written (?<!\p{L}).
export const GLOSSARY: readonly Term[] = [
  // Joining, leaving, rooms and links
  { en: "join", ru: "войти", ky: "кирүү", status: "used", note: "Buttons: «Войти» / «Кирүү», not «Присоединиться» / «Азыр кирүү».", check: { en: /\bjoin\b/i, ru: /вой[тд]|вход|вош/iu, ky: /кир[үеиг]/iu } },
  { en: "leave / left", ru: "выйти (в строке чата: «покинул(а) комнату»)", ky: "чыгуу", status: "used", note: "The chat's event line follows Telegram's «покинул(а) группу»; never «вышел(ла)».", check: { en: /\b(leave|left)\b/i, ru: /вый[тд]|выш|выход|покину/iu, ky: /чы[кг]/iu } },
  { en: "rejoin", ru: "вернуться", ky: "кайра кирүү", status: "used", check: { en: /\brejoin/i, ru: /верн/iu, ky: /кайра кир/iu } },
  { en: "room", ru: "комната", ky: "бөлмө", status: "used", check: { en: /\brooms?\b/i, ru: /комнат/iu, ky: /бөлмө/iu } },
  { en: "link", ru: "ссылка", ky: "шилтеме", status: "used", check: { en: /\blinks?\b/i, ru: /ссылк/iu, ky: /шилтеме/iu } },
  { en: "invite", ru: "пригласить, приглашение", ky: "чакыруу", status: "used", check: { en: /\binvit/i, ru: /приглас|приглаш/iu, ky: /чакыр/iu } },
  { en: "share the link", ru: "поделиться ссылкой", ky: "шилтемени бөлүшүү", status: "used", check: { en: /\bshare the link\b/i, ru: /подел/iu, ky: /бөлүш/iu } },
  { en: "participant", ru: "участник", ky: "катышуучу", status: "used", note: "The «People» panel is «Участники» / «Катышуучулар».", check: { en: /\bparticipants?\b/i, ru: /участник/iu, ky: /катышуучу/iu } },
  { en: "name", ru: "имя", ky: "ат", status: "used", check: { en: /\bname\b/i, ru: /(?<!\p{L})им(я|ени)(?!\p{L})/iu, ky: /(?<!\p{L})ат(ы|ың|тар)?/iu } },

  // Chat
  { en: "message", ru: "сообщение", ky: "билдирүү", status: "used", note: "ky: «жазуу» is kept for recording; a chat message is «билдирүү».", check: { en: /\bmessages?\b/i, ru: /сообщени/iu, ky: /билдирүү/iu } },
  { en: "unread", ru: "непрочитанное", ky: "окулбаган", status: "used", note: "ky: not «окула элек».", check: { en: /\bunread\b/i, ru: /непрочитан/iu, ky: /окулбаган/iu } },
  { en: "chat", ru: "чат", ky: "чат", status: "used", check: { en: /\bchat\b/i, ru: /чат/iu, ky: /чат/iu } },

  // Devices and media
  { en: "turn on", ru: "включить", ky: "күйгүзүү", status: "used", check: { en: /\bturn on\b/i, ru: /включ/iu, ky: /күйгүз/iu } },
  { en: "turn off / off", ru: "выключить / выключен", ky: "өчүрүү / өчүк", status: "used", check: { en: /\boff\b/i, ru: /выключ/iu, ky: /өчү/iu } },
  { en: "device", ru: "устройство", ky: "түзмөк", status: "used", check: { en: /\bdevices?\b/i, ru: /устройств/iu, ky: /түзмө[кг]/iu } },
  { en: "camera", ru: "камера", ky: "камера", status: "used", check: { en: /\bcamera\b/i, ru: /камер/iu, ky: /камера/iu } },
  { en: "microphone", ru: "микрофон", ky: "микрофон", status: "used", check: { en: /\bmicrophone\b/i, ru: /микрофон/iu, ky: /микрофон/iu } },
  { en: "speaker (audio output)", ru: "динамик", ky: "динамик", status: "used", note: "Not the person speaking: see «speaker (stage role)».", check: { en: /\bspeakers?\b/i, ru: /динамик/iu, ky: /динамик/iu, keys: /^(?!stage\.)/ } },
  { en: "screen", ru: "экран", ky: "экран", status: "used", check: { en: /\bscreen\b/i, ru: /экран/iu, ky: /экран/iu } },
  { en: "screen sharing (noun)", ru: "демонстрация экрана", ky: "экранды көрсөтүү", status: "used", check: { en: /\bscreen sharing\b/i, ru: /демонстрац/iu, ky: /экранды көрсөт/iu } },
  { en: "share screen / stop sharing", ru: "показать экран / остановить показ", ky: "экранды көрсөтүү / көрсөтүүнү токтотуу", status: "used", check: { en: /\b(share screen|stop sharing)\b/i, ru: /показ/iu, ky: /көрсөт/iu } },

  // Connections and the network
  { en: "connect / connecting (the act)", ru: "подключиться, подключение", ky: "туташуу", status: "used", note: "ru: not «соединяться»; «звонки не будут работать» rather than «не соединятся».", check: { en: /\bconnect(ed|ing)?\b/i, ru: /подключ/iu, ky: /туташ/iu } },
  { en: "connection (the link)", ru: "соединение", ky: "байланыш", status: "used", note: "«подключение к интернету» / «Интернет байланышы» for the internet connection; «связь с комнатой» when it is lost; ky «түз туташуу» for a direct connection.", check: { en: /\bconnections?\b(?! credentials)/i, ru: /соединени|подключени|связ/iu, ky: /байланыш|туташ/iu } },
  { en: "relay (TURN)", ru: "сервер-ретранслятор, ретранслятор", ky: "ретранслятор сервери, ретранслятор", status: "used", check: { en: /\brelay\b/i, ru: /ретранслятор/iu, ky: /ретранслятор/iu } },
  { en: "credentials", ru: "учётные данные", ky: "кирүү маалыматтары", status: "used", note: "Not «данные для входа», not «наши»: they are the session's.", check: { en: /\bcredentials\b/i, ru: /учётн/iu, ky: /кирүү маалымат/iu } },
  { en: "server", ru: "сервер", ky: "сервер", status: "used", check: { en: /\bserver\b/i, ru: /сервер/iu, ky: /сервер/iu } },
  { en: "not supported / not offered", ru: "не поддерживается, нет", ky: "колдобойт, жок", status: "used", note: "ky: never «сунуштабайт» (сунуштоо is to recommend).", check: { en: /\bnot (supported|offered)\b|\boffers no\b/i, ru: /поддерж|(?<!\p{L})нет(?!\p{L})/iu, ky: /колдобо|(?<!\p{L})жок(?!\p{L})/iu } },
  { en: "network", ru: "сеть", ky: "тармак", status: "used", check: { en: /\bnetworks?\b/i, ru: /(?<!\p{L})сет[ьиейяюх]/iu, ky: /тарма[кг]/iu } },
  { en: "call", ru: "звонок", ky: "чалуу", status: "used", check: { en: /\bcalls?\b/i, ru: /звон/iu, ky: /чалуу/iu } },
  { en: "meeting", ru: "встреча", ky: "жолугушуу", status: "used", note: "The call as an occasion, as Meet says it: «Завершить встречу для всех». Not «конференция».", check: { en: /\bmeeting\b/i, ru: /встреч/iu, ky: /жолугушуу/iu } },
  { en: "delay / round trip", ru: "задержка", ky: "кечигүү", status: "used", check: { en: /\b(delay|round trip)\b/i, ru: /задержк/iu, ky: /кечигүү/iu } },
  { en: "address (IP address, address bar)", ru: "адрес (IP-адрес, адресная строка)", ky: "дарек (IP дареги, дарек тилкеси)", status: "used", check: { en: /\baddress\b/i, ru: /адрес/iu, ky: /даре[кг]/iu } },
  { en: "“Hide my IP address” (the setting)", ru: "«Скрыть мой IP-адрес»", ky: "«IP дарегимди жашыруу»", status: "used", note: "Quoted exactly as the checkbox says it.", check: { en: /Hide my IP address/, ru: /Скрыть мой IP-адрес/u, ky: /IP дарегимди жашыруу/u } },

  // The page and the app
  { en: "browser", ru: "браузер", ky: "браузер", status: "used", check: { en: /\bbrowser/i, ru: /браузер/iu, ky: /браузер/iu } },
  { en: "page", ru: "страница", ky: "барак", status: "used", check: { en: /\bpage\b/i, ru: /страниц/iu, ky: /барак/iu } },
  { en: "reload (the page)", ru: "перезагрузите страницу", ky: "баракты жаңылаңыз", status: "used", check: { en: /\breload\b/i, ru: /перезагруз/iu, ky: /жаңыла/iu } },
  { en: "app", ru: "приложение", ky: "колдонмо", status: "used", check: { en: /\bapps?\b/i, ru: /приложени/iu, ky: /колдонмо/iu } },
  { en: "version", ru: "версия", ky: "версия", status: "used", check: { en: /\bversion\b/i, ru: /верси/iu, ky: /версия/iu } },
  { en: "tab / window", ru: "вкладка / окно", ky: "өтмөк / терезе", status: "used", check: { en: /\b(tab|window)\b/i, ru: /вкладк|(?<!\p{L})окн/iu, ky: /өтмө[кг]|терезе/iu } },
  { en: "install", ru: "установка", ky: "орнотуу", status: "used", check: { en: /\binstall/i, ru: /установ/iu, ky: /орнот/iu } },
  { en: "settings", ru: "настройки", ky: "жөндөөлөр", status: "used", check: { en: /\bsettings\b/i, ru: /настро/iu, ky: /жөндөө/iu } },
  { en: "copy", ru: "скопировать", ky: "көчүрүү", status: "used", check: { en: /\bcop(y|ied)\b/i, ru: /копир/iu, ky: /көчүр/iu } },
  { en: "paste", ru: "вставить", ky: "чаптоо", status: "used", note: "ky: not «коюу».", check: { en: /\bpaste\b/i, ru: /встав/iu, ky: /чапт/iu } },
  { en: "try again (later)", ru: "попробуйте снова (позже)", ky: "кайра аракет кылыңыз (кийинчерээк)", status: "used", check: { en: /\btry again\b/i, ru: /попробуйте/iu, ky: /аракет кыл/iu } },

  // Hosts and access (issue #11). The Kyrgyz words still want a native speaker's confirmation:
  // neither Zoom nor Meet ships Kyrgyz.
  { en: "host", ru: "организатор", ky: "уюштуруучу", status: "used", note: "Zoom and Meet say «организатор»; not «хост», not «модератор».", check: { en: /\bhosts?\b/i, ru: /организатор/iu, ky: /уюштуруучу/iu } },
  { en: "co-host", ru: "соорганизатор", ky: "тең уюштуруучу", status: "used", note: "Zoom and Meet: «соорганизатор». ky тең- as in «тең автор» (co-author).", check: { en: /\bco-hosts?\b/i, ru: /соорганизатор/iu, ky: /тең уюштуруучу/iu } },
  { en: "ask to join", ru: "попросить войти", ky: "кирүүгө уруксат суроо", status: "used", check: { en: /\bask to join\b/i, ru: /попрос/iu, ky: /уруксат сур/iu } },
  { en: "admit", ru: "впустить", ky: "киргизүү", status: "used", note: "Zoom: «Впустить»; clearer than Meet's «Принять» next to «Отклонить».", check: { en: /\badmit/i, ru: /впуст/iu, ky: /киргиз/iu } },
  { en: "deny", ru: "отклонить", ky: "четке кагуу", status: "used", check: { en: /\bden(y|ied)\b/i, ru: /отклон/iu, ky: /четке как|четке каг/iu } },
  { en: "remove (from the room)", ru: "удалить из комнаты", ky: "бөлмөдөн чыгаруу", status: "used", note: "Zoom and Meet: «Удалить». Not «кикнуть», not «выгнать».", check: { en: /\bremove/i, ru: /удал/iu, ky: /чыгар/iu } },
  { en: "lock (the room)", ru: "закрыть вход, заблокировать комнату", ky: "бөлмөнү кулпулоо", status: "used", note: "Zoom: «Заблокировать конференцию».", check: { en: /\block(ed)?\b/i, ru: /блокир|закры/iu, ky: /кулпу/iu } },
  { en: "passcode", ru: "код доступа", ky: "кирүү коду", status: "used", note: "Zoom: «Код доступа». Not «пароль» / «сырсөз»: it is short and shared.", check: { en: /\bpasscode\b/i, ru: /код\p{L}* доступа/iu, ky: /кирүү код/iu } },
  { en: "mute (someone else)", ru: "попросить выключить микрофон", ky: "микрофонду өчүрүүнү суроо", status: "used", note: "A request, never «заглушить».", check: { en: /\bmute\b/i, ru: /выключ/iu, ky: /өчүр/iu } },

  // Stage mode (issue #12). As with the host terms, the Kyrgyz words want a native speaker's
  // confirmation: neither Zoom nor Meet ships Kyrgyz.
  { en: "stage", ru: "сцена", ky: "сахна", status: "used", note: "As a theatre's stage: «сцена» / «сахна». Not «стейдж».", check: { en: /\bstage\b/i, ru: /сцен/iu, ky: /сахна/iu } },
  { en: "speaker (stage role)", ru: "выступающий", ky: "сүйлөөчү", status: "used", note: "In stage.* keys only; elsewhere “speaker” is the audio output. Not «спикер», not «докладчик».", check: { en: /\bspeakers?\b/i, ru: /выступа/iu, ky: /сүйлөөчү/iu, keys: /^stage\./ } },
  { en: "viewer", ru: "зритель", ky: "көрүүчү", status: "used", note: "«Смотреть» / «Көрүү» is the viewer's button; the audience is «зрители» / «көрүүчүлөр».", check: { en: /\bviewers?\b/i, ru: /зрител/iu, ky: /көрүүчү/iu } },
  { en: "raise hand / lower hand", ru: "поднять руку / опустить руку", ky: "кол көтөрүү / колду түшүрүү", status: "used", note: "Zoom, Meet: «Поднять руку». ky: «колду» / «колуңузду» with a case ending; the check skips «колдонмо», «колдобойт».", check: { en: /\bhands?\b/i, ru: /рук/iu, ky: /(?<!\p{L})кол(?!до)/iu } },
  { en: "live (on air)", ru: "в эфире", ky: "түз эфир", status: "used", note: "The stage's badge, as streaming apps say it. Not «онлайн», not «лайв».", check: { en: /\blive\b/i, ru: /эфир/iu, ky: /эфир/iu } },

  // Voice messages (issue #13). Used since the chat box records them; like the host and stage
  // terms, the Kyrgyz words want a native speaker's confirmation.
  { en: "voice message", ru: "голосовое сообщение", ky: "үн билдирүү", status: "used", note: "Telegram: «Голосовое сообщение».", check: { en: /\bvoice messages?\b/i, ru: /голосов/iu, ky: /үн билдирүү/iu } },
  { en: "recording / record", ru: "запись / записать", ky: "жазуу / жазып алуу", status: "used", note: "Zoom, Meet: «Запись»; the badge is «Идёт запись» / «Жазылып жатат».", check: { en: /\brecord(ing|ed)?\b/i, ru: /запис/iu, ky: /жаз/iu } },

  // Peer-to-peer files. Accept and decline are the file card's buttons, as Telegram's
  // «Принять» / «Отклонить» for a call; ky decline is the word the lobby's deny already uses. Like
  // the terms above, the Kyrgyz words want a native speaker's confirmation.
  { en: "file", ru: "файл", ky: "файл", status: "used", note: "A loanword in both; «Файл жөнөтүү», not «документ».", check: { en: /\bfiles?\b/i, ru: /файл/iu, ky: /файл/iu } },
  { en: "accept (a file)", ru: "принять", ky: "кабыл алуу", status: "used", check: { en: /\baccept/i, ru: /прин[яи]|примет/iu, ky: /кабыл ал/iu } },
  { en: "decline (a file)", ru: "отклонить", ky: "четке кагуу", status: "used", note: "Not «отказаться» / «баш тартуу»: the same word as the lobby's deny.", check: { en: /\bdeclin/i, ru: /отклон/iu, ky: /четке ка[кг]/iu } },
  { en: "cancel", ru: "отменить (кнопка диалога: «Отмена»)", ky: "жокко чыгаруу", status: "used", check: { en: /\bcancel/i, ru: /отмен/iu, ky: /жокко чыгар/iu } },
  { en: "save (a received file)", ru: "сохранить", ky: "сактоо", status: "used", note: "The received file's link: «Сохранить» / «Сактоо», not «Скачать» / «Жүктөп алуу» (it is on this device already).", check: { en: /\bsav(e|ed|ing)\b/i, ru: /сохран/iu, ky: /сакта|сакт/iu } },

  // Proposed, for the features planned next (see /work/shared/FEATURES.md). Checked against Zoom
  // and Meet (ru) and Telegram (ru, and its Kyrgyz community translation where it has one);
  // neither Zoom nor Meet ships Kyrgyz, so those rows most need a native speaker's word.
  { en: "waiting room / lobby", ru: "зал ожидания", ky: "күтүү залы", status: "proposed", note: "Zoom: «Зал ожидания». Never «лобби».", check: { en: /\b(waiting room|lobby)\b/i, ru: /ожидани/iu, ky: /күтүү зал/iu } },
  { en: "reaction", ru: "реакция", ky: "реакция", status: "used", note: "Meet, Telegram: «Реакции». Used since the reactions palette (issue #14).", check: { en: /\breactions?\b/i, ru: /реакци/iu, ky: /реакци/iu } },
  { en: "pin", ru: "закрепить", ky: "кадоо", status: "used", note: "Meet, Telegram: «Закрепить»; unpin is «Открепить» / «Кадоону алып салуу». Used since a tile's pin (issue #14).", check: { en: /\bpin(ned)?\b/i, ru: /закреп/iu, ky: /када|кадо/iu } },
  { en: "layout", ru: "вид", ky: "көрүнүш", status: "used", note: "As in Zoom's «Вид галереи»; Meet's «макет» reads as design jargon. The choices: «Автоматически», «Сетка», «Говорящий» / «Автоматтык», «Тор», «Сүйлөп жаткан» (issue #14).", check: { en: /\blayout\b/i, ru: /(?<!\p{L})вид/iu, ky: /көрүнүш/iu } },
  { en: "active speaker", ru: "говорит", ky: "сүйлөп жатат", status: "used", note: "A badge: «Говорит» / «Сүйлөп жатат», not Zoom's «Активный докладчик»; «Говорит {name}» / «{name} сүйлөп жатат» for screen readers." },
  { en: "connection quality", ru: "качество соединения", ky: "байланыштын сапаты", status: "used", note: "The bars on a tile and their details (issue #14); the grade is an adjective agreeing with «качество» / «соединение»: «хорошее».", check: { en: /\bquality\b/i, ru: /качеств/iu, ky: /сапат/iu } },
  { en: "safety code", ru: "код безопасности", ky: "коопсуздук коду", status: "used", note: "As Signal says it; compared aloud, so the code itself stays Latin letters and digits.", check: { en: /\bsafety code\b/i, ru: /код\p{L}* безопасности/iu, ky: /коопсуздук код/iu } },
];

export const TERM_EXCEPTIONS: readonly TermException[] = [
  { key: "chat.placeholder", lang: "ru", term: "message", reason: "A verb prompts better in an empty input («Написать всем») than the noun «Сообщение для всех»." },
  { key: "turn.unavailable", lang: "ru", term: "turn off / off", reason: "The setting is a checkbox: «Снимите флажок» is what Russian UIs say." },
  { key: "turn.rejected", lang: "ru", term: "connect / connecting (the act)", reason: "Calls «не будут работать»: «звонки не соединятся / не подключатся» is a calque." },
  { key: "turn.unavailable", lang: "ru", term: "connect / connecting (the act)", reason: "As turn.rejected." },
  { key: "passcode.wrong", lang: "ru", term: "leave / left", reason: "“tries left” means remaining: «осталось … попыток»." },
  { key: "passcode.wrong", lang: "ky", term: "leave / left", reason: "“tries left” means remaining: «… аракет калды»." },
  { key: "layout.speaker", lang: "ru", term: "speaker (audio output)", reason: "The layout named for the person talking, not the audio output: «Говорящий», as the active speaker's badge says «Говорит»." },
  { key: "layout.speaker", lang: "ky", term: "speaker (audio output)", reason: "The layout named for the person talking, not the audio output: «Сүйлөп жаткан», as the active speaker's badge says «Сүйлөп жатат»." },
];
