import { describe, expect, it } from 'vitest';
import { SafeHtml, escapeHtml, html } from './html.ts';
import { renderPage } from './layout.ts';

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&#60;script&#62;alert(1)&#60;/script&#62;'],
    ['"onmouseover=alert(1)', '&#34;onmouseover=alert(1)'],
    ["' onfocus='x", '&#39; onfocus=&#39;x'],
    ['`backtick`', '&#96;backtick&#96;'],
    ['a & b', 'a &#38; b'],
    ['&#60; already escaped', '&#38;#60; already escaped'],
  ])('Should escape %s', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });

  it('Should leave ordinary and Japanese text, and Unicode oddities, as they are', () => {
    expect(escapeHtml('テスト CSIRT (JPCERT/CC 連携)')).toBe('テスト CSIRT (JPCERT/CC 連携)');
    expect(escapeHtml('\u202Egnp.exe')).toBe('\u202Egnp.exe');
  });
});

describe('the html template tag', () => {
  it('Should escape every interpolation in text and in quoted attributes', () => {
    const name = '<script>alert(1)</script>';
    const attribute = '"onmouseover="alert(1)';
    expect(html`<p title="${attribute}">${name}</p>`.toString()).toBe(
      '<p title="&#34;onmouseover=&#34;alert(1)">&#60;script&#62;alert(1)&#60;/script&#62;</p>',
    );
  });

  it('Should not escape nested templates twice, and escape each item of an array', () => {
    const items = ['<b>', 'ok'].map((item) => html`<li>${item}</li>`);
    // Prettier formats html`` as HTML, which would change the string under test.
    // prettier-ignore
    expect(html`<ul>${items}</ul>`.toString()).toBe('<ul><li>&#60;b&#62;</li><li>ok</li></ul>');
  });

  it('Should render nothing for null, undefined and false, and numbers as text', () => {
    expect(html`[${null}${undefined}${false}${0}${42}]`.toString()).toBe('[042]');
  });

  it('Should escape a plain string even when it looks like markup someone meant', () => {
    expect(html`${'<em>x</em>'}`.toString()).toBe('&#60;em&#62;x&#60;/em&#62;');
    expect(html`${new SafeHtml('<em>x</em>')}`.toString()).toBe('<em>x</em>');
  });
});

describe('renderPage', () => {
  it('Should escape the team name and title in the frame, and set the page language', () => {
    const page = renderPage({ locale: 'ja', title: '<i>ホーム</i>', teamName: '"><script>alert(1)</script>', path: '/', body: html`<p>本文</p>` });
    expect(page).toMatch(/^<!doctype html><html lang="ja">/);
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('<title>&#60;i&#62;ホーム&#60;/i&#62; | &#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;</title>');
    expect(page).toContain('<a href="/?lang=en" hreflang="en" lang="en">English</a>');
  });
});
