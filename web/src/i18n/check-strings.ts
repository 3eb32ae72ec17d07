// The connection check page's strings, in all three languages. They load with that page, not
// with the app: most visits never open it.

import type { Lang } from "./catalog";
import { fill, type Params } from "./format";

const en = {
  "check.title": "Connection check",
  "check.intro": "This checks whether calls can work from this browser and this network.",
  "check.signaling": "Room service",
  "check.stun": "Direct connection (public address via STUN)",
  "check.turnUdp": "Relay over UDP",
  "check.turnTcp": "Relay over TCP",
  "check.turnTls": "Relay over TLS (port 443)",
  "check.camera": "Camera",
  "check.microphone": "Microphone",
  "check.pending": "checking…",
  "check.ok": "works",
  "check.failed": "does not work",
  "check.absent": "not offered by this server",
  "check.rejected": "refused our credentials",
  "check.rtt": "round trip {ms} ms",
  "check.verdict.pending": "Checking…",
  "check.verdict.works": "Calls will work.",
  "check.verdict.relay-only": "Calls will work only through the relay. Your network hides you from direct connections, so calls go through the relay server (a little more delay).",
  "check.verdict.direct-only": "Calls will work with most people, but no relay is available: people behind strict networks may not be able to connect to you.",
  "check.verdict.local-only": "This server offers no STUN or relay, so calls work only between devices on the same network.",
  "check.verdict.blocked": "Your network blocks calls: neither a direct connection nor the relay can be reached. Try another network (for example your phone's hotspot), or ask your network administrator to allow WebRTC.",
  "check.verdict.no-service": "Your network blocks calls: the room service cannot be reached. Check your internet connection, firewall or proxy.",
  "check.again": "Check again",
  "check.back": "Back",
};

export type CheckKey = keyof typeof en;

const ru: Record<CheckKey, string> = {
  "check.title": "Проверка соединения",
  "check.intro": "Проверяем, будут ли работать звонки в этом браузере и в этой сети.",
  "check.signaling": "Сервис комнат",
  "check.stun": "Прямое соединение (публичный адрес через STUN)",
  "check.turnUdp": "Ретранслятор по UDP",
  "check.turnTcp": "Ретранслятор по TCP",
  "check.turnTls": "Ретранслятор по TLS (порт 443)",
  "check.camera": "Камера",
  "check.microphone": "Микрофон",
  "check.pending": "проверяем…",
  "check.ok": "работает",
  "check.failed": "не работает",
  "check.absent": "не поддерживается сервером",
  "check.rejected": "отклонил учётные данные",
  "check.rtt": "задержка {ms} мс",
  "check.verdict.pending": "Проверяем…",
  "check.verdict.works": "Звонки будут работать.",
  "check.verdict.relay-only": "Звонки будут работать только через ретранслятор. Ваша сеть не допускает прямых соединений, поэтому звонки пойдут через сервер-ретранслятор (задержка чуть больше).",
  "check.verdict.direct-only": "Звонки будут работать с большинством собеседников, но ретранслятор недоступен: пользователи из сетей с жёсткими ограничениями могут не подключиться к вам.",
  "check.verdict.local-only": "На этом сервере нет ни STUN, ни ретранслятора, поэтому звонки работают только между устройствами в одной сети.",
  "check.verdict.blocked": "Ваша сеть блокирует звонки: недоступны ни прямое соединение, ни ретранслятор. Попробуйте другую сеть (например, раздачу с телефона) или попросите администратора сети разрешить WebRTC.",
  "check.verdict.no-service": "Ваша сеть блокирует звонки: сервис комнат недоступен. Проверьте подключение к интернету, брандмауэр или прокси.",
  "check.again": "Проверить снова",
  "check.back": "Назад",
};

const ky: Record<CheckKey, string> = {
  "check.title": "Байланышты текшерүү",
  "check.intro": "Бул браузерде жана бул тармакта чалуулар иштей турганын текшеребиз.",
  "check.signaling": "Бөлмө кызматы",
  "check.stun": "Түз туташуу (STUN аркылуу ачык дарек)",
  "check.turnUdp": "UDP аркылуу ретранслятор",
  "check.turnTcp": "TCP аркылуу ретранслятор",
  "check.turnTls": "TLS аркылуу ретранслятор (443-порт)",
  "check.camera": "Камера",
  "check.microphone": "Микрофон",
  "check.pending": "текшерилүүдө…",
  "check.ok": "иштейт",
  "check.failed": "иштебейт",
  "check.absent": "бул сервер колдобойт",
  "check.rejected": "кирүү маалыматтарын четке какты",
  "check.rtt": "кечигүү {ms} мс",
  "check.verdict.pending": "Текшерилүүдө…",
  "check.verdict.works": "Чалуулар иштейт.",
  "check.verdict.relay-only": "Чалуулар ретранслятор аркылуу гана иштейт. Тармагыңыз түз туташууга жол бербейт, ошондуктан чалуулар ретранслятор сервери аркылуу өтөт (кечигүү бир аз көбүрөөк).",
  "check.verdict.direct-only": "Чалуулар көпчүлүк адамдар менен иштейт, бирок ретранслятор жеткиликсиз: катуу чектелген тармактардагы колдонуучулар сизге туташа албашы мүмкүн.",
  "check.verdict.local-only": "Бул серверде STUN да, ретранслятор да жок, ошондуктан чалуулар бир тармактагы түзмөктөрдүн ортосунда гана иштейт.",
  "check.verdict.blocked": "Тармагыңыз чалууларды бөгөттөйт: түз туташуу да, ретранслятор да жеткиликсиз. Башка тармакты (мисалы, телефондун хотспотун) колдонуп көрүңүз же тармак администраторунан WebRTC'ге уруксат берүүсүн сураныңыз.",
  "check.verdict.no-service": "Тармагыңыз чалууларды бөгөттөйт: бөлмө кызматы жеткиликсиз. Интернет байланышын, брандмауэрди же проксини текшериңиз.",
  "check.again": "Кайра текшерүү",
  "check.back": "Артка",
};

export const CHECK_STRINGS: Record<Lang, Record<CheckKey, string>> = { en, ru, ky };

export function checkText(lang: Lang, key: CheckKey, params: Params = {}): string {
  return fill(CHECK_STRINGS[lang][key] ?? en[key], params);
}
