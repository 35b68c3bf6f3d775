import { describe, expect, it } from 'vitest';
import { cleanOperatorName, operatorNameKey, type CleanOperatorName } from './operatorName.js';

describe('cleanOperatorName', () => {
  it.each<[string, CleanOperatorName]>([
    ['ООО "СИПАУТНЭТ"', { name: 'ООО "СИПАУТНЭТ"', inn: null }],
    ['ПАО "Ростелеком"', { name: 'ПАО "Ростелеком"', inn: null }],
    ['СПЕЦСВЯЗЬ ФСО РОССИИ', { name: 'СПЕЦСВЯЗЬ ФСО РОССИИ', inn: null }],
    ['Телеком Евразия', { name: 'Телеком Евразия', inn: null }],
    // Russian nested quotes with the outer closing quote omitted: the normal written form, kept
    ['АО "ТК "КОНВЕЙ ПЛЮС"', { name: 'АО "ТК "КОНВЕЙ ПЛЮС"', inn: null }],
    ['ПАО "Компания "Сухой"', { name: 'ПАО "Компания "Сухой"', inn: null }],
    // doubled and surrounding spaces
    ['ООО  "ЭК  "АРГО-СЕРВИС"', { name: 'ООО "ЭК "АРГО-СЕРВИС"', inn: null }],
    ['  ПАО "МГТС"\t', { name: 'ПАО "МГТС"', inn: null }],
    // an INN pasted into the name
    ['ООО "ПТФ" (ИНН 7802594898)', { name: 'ООО "ПТФ"', inn: '7802594898' }],
    ['ООО "ПТФ" (ИНН 7802775407)', { name: 'ООО "ПТФ"', inn: '7802775407' }],
    ['ООО "ПТФ"(ИНН7802594898)', { name: 'ООО "ПТФ"', inn: '7802594898' }],
    ['ИП Иванов И.И. (ИНН 772345678901)', { name: 'ИП Иванов И.И.', inn: '772345678901' }],
    ['ООО "Связь" (ИНН 7802594898) филиал', { name: 'ООО "Связь" филиал', inn: '7802594898' }],
    // not an INN: wrong number of digits
    ['ООО "ПТФ" (ИНН 78025948)', { name: 'ООО "ПТФ" (ИНН 78025948)', inn: null }],
    // CSV-style quoting of the whole field
    ['"ООО ""Рога и копыта"""', { name: 'ООО "Рога и копыта"', inn: null }],
    ['"АО ""ТК ""КОНВЕЙ ПЛЮС"""', { name: 'АО "ТК "КОНВЕЙ ПЛЮС"', inn: null }],
    ['ООО ""Рога""', { name: 'ООО "Рога"', inn: null }],
    // a field that merely starts and ends with a quote is not CSV quoting
    ['"Рога"', { name: '"Рога"', inn: null }],
    ['', { name: '', inn: null }],
  ])('%j → %j', (raw, expected) => {
    expect(cleanOperatorName(raw)).toEqual(expected);
  });
});

describe('operatorNameKey', () => {
  it.each<[string, string, boolean]>([
    ['ПАО "Ростелеком"', 'ПАО "РОСТЕЛЕКОМ"', true],
    ['ООО "ТТК-Связь"', 'ООО "ТТК-СВЯЗЬ"', true],
    ['ООО "Т2 Мобайл"', 'ООО "Т2 МОБАЙЛ"', true],
    ['ПАО "МегаФон"', 'ПАО "МЕГАФОН"', true],
    ['ПАО "ВымпелКом"', 'ПАО «ВЫМПЕЛКОМ»', true],
    ['ООО "Ёлка"', 'ООО "ЕЛКА"', true],
    ['ООО  "ЭК  "АРГО-СЕРВИС"', 'ООО "ЭК "АРГО-СЕРВИС"', true],
    ['ООО "ПТФ"', 'ООО ПТФ', true],
    ['ПАО "МТС"', 'ПАО "Мобильные ТелеСистемы"', false],
    ['ООО "Т2 Мобайл"', 'ООО "Т2Мобайл"', false],
    ['АО "МТТ"', 'ОАО "МТТ"', false],
  ])('%j ~ %j: %s', (a, b, same) => {
    expect(operatorNameKey(a) === operatorNameKey(b)).toBe(same);
  });

  it.each<[string, string]>([
    ['ПАО "Ростелеком"', 'ПАО РОСТЕЛЕКОМ'],
    ['АО "ТК "КОНВЕЙ ПЛЮС"', 'АО ТК КОНВЕЙ ПЛЮС'],
    ['  ООО «Ёж»  ', 'ООО ЕЖ'],
  ])('%j → %j', (name, key) => {
    expect(operatorNameKey(name)).toBe(key);
  });
});
