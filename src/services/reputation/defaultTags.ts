/**
 * The tag dictionary a new store starts with (`seedDefaultTags` adds what is missing and never
 * overwrites an admin's edits). Ids follow the Gilraen ranges so its clients see familiar values:
 * CALLER_TYPE 10–19, CATEGORY 11xx, SUBCATEGORY 100xx, CALL_REASON 1000xx, EMOTAG 2000xx; the ids
 * the Gilraen document shows (10, 11, 1144, 1145, 1146, 10036, 10037, 10041, 100006, 100009,
 * 200000, 200003) mean here what they mean there where the document names them.
 */
import type { Tag, TagType } from '../../store/types.js';

type Row = readonly [id: number, en: string, ru: string];

const ROWS: Readonly<Record<TagType, readonly Row[]>> = {
  CALLER_TYPE: [
    [10, 'Person', 'Частное лицо'],
    [11, 'Organization', 'Организация'],
  ],
  CATEGORY: [
    [1130, 'Banks', 'Банки'],
    [1131, 'Microfinance', 'Микрофинансовые организации'],
    [1132, 'Collection agencies', 'Коллекторы'],
    [1133, 'Insurance', 'Страхование'],
    [1134, 'Investments and brokers', 'Инвестиции и брокеры'],
    [1135, 'Telemarketing', 'Телемаркетинг'],
    [1136, 'Telecom', 'Связь и интернет'],
    [1137, 'Retail', 'Торговля'],
    [1138, 'Real estate', 'Недвижимость'],
    [1139, 'Medicine', 'Медицина'],
    [1140, 'Education', 'Образование'],
    [1141, 'Government', 'Государственные органы'],
    [1142, 'Utilities and housing', 'ЖКХ'],
    [1143, 'Beauty and wellness', 'Красота и здоровье'],
    [1144, 'Delivery', 'Доставка'],
    [1145, 'Transport', 'Транспорт'],
    [1146, 'Services', 'Услуги'],
    [1147, 'Tourism and travel', 'Туризм'],
    [1148, 'Auto', 'Автомобили'],
    [1149, 'Legal services', 'Юридические услуги'],
    [1150, 'Employment and recruiting', 'Работа и подбор персонала'],
    [1151, 'Charity', 'Благотворительность'],
    [1152, 'Polls and research', 'Опросы и исследования'],
    [1153, 'Fraudsters', 'Мошенники'],
  ],
  SUBCATEGORY: [
    [10030, 'Credit offers', 'Кредитные предложения'],
    [10031, 'Card services', 'Обслуживание карт'],
    [10032, 'Microloans', 'Микрозаймы'],
    [10033, 'Debt collection', 'Взыскание долгов'],
    [10034, 'Call centre', 'Колл-центр'],
    [10035, 'Courier', 'Курьер'],
    [10036, 'Food delivery', 'Доставка еды'],
    [10037, 'Parcel delivery', 'Доставка посылок'],
    [10038, 'Clinic', 'Клиника'],
    [10039, 'Pharmacy', 'Аптека'],
    [10040, 'Dentistry', 'Стоматология'],
    [10041, 'Taxi', 'Такси'],
    [10042, 'Car sharing', 'Каршеринг'],
    [10043, 'Mobile operator', 'Оператор связи'],
    [10044, 'Internet provider', 'Интернет-провайдер'],
    [10045, 'Online shop', 'Интернет-магазин'],
    [10046, 'Estate agency', 'Агентство недвижимости'],
    [10047, 'Developer', 'Застройщик'],
    [10048, 'Management company', 'Управляющая компания'],
    [10049, 'Car insurance', 'Автострахование'],
    [10050, 'Health insurance', 'Медицинское страхование'],
    [10051, 'Training courses', 'Курсы и обучение'],
    [10052, 'Tax service', 'Налоговая служба'],
    [10053, 'Police', 'Полиция'],
    [10054, 'Recruiting agency', 'Кадровое агентство'],
  ],
  CALL_REASON: [
    [100001, 'Advertising', 'Реклама'],
    [100002, 'Sales', 'Продажи'],
    [100003, 'Survey', 'Опрос'],
    [100004, 'Robocall', 'Робот-автоответчик'],
    [100005, 'Debt', 'Долг'],
    [100006, 'Loan offer', 'Предложение кредита'],
    [100007, 'Fraud', 'Мошенничество'],
    [100008, 'Silent call', 'Молчание в трубке'],
    [100009, 'SPAM', 'Спам'],
    [100010, 'Dropped call', 'Сброс после гудка'],
    [100011, 'Delivery notice', 'Уведомление о доставке'],
    [100012, 'Appointment reminder', 'Напоминание о записи'],
    [100013, 'Service call', 'Звонок по обслуживанию'],
    [100014, 'Job offer', 'Предложение работы'],
    [100015, 'Wrong number', 'Ошиблись номером'],
    [100016, 'Personal call', 'Личный звонок'],
  ],
  EMOTAG: [
    [200000, 'Like', 'Нравится'],
    [200001, 'Dislike', 'Не нравится'],
    [200002, 'Useful', 'Полезный звонок'],
    [200003, 'Annoying', 'Надоедают'],
    [200004, 'Rude', 'Грубят'],
    [200005, 'Polite', 'Вежливые'],
    [200006, 'Scary', 'Пугают'],
  ],
};

export const DEFAULT_TAGS: readonly Tag[] = Object.freeze(
  (Object.keys(ROWS) as TagType[]).flatMap((type) =>
    ROWS[type].map(([id, name_en, name_ru]) => Object.freeze({ type, id, name_ru, name_en })),
  ),
);
