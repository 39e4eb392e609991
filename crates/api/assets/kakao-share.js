/*!
 * talkchannel JavaScript SDK, Kakao.Share: sendDefault, sendScrap, createDefaultButton,
 * createScrapButton and cleanup, as Kakao's SDK v2 names them. Served appended to
 * kakao.js. A share opens talkchannel's sharer (/picker/link) in a popup named
 * `kakao_link_web_sharer`; the server checks the template again and answers a wrong
 * one with Kakao's error 4002. Settings use Kakao's camelCase names (objectType,
 * imageUrl, webUrl, ...), sent as the snake_case template object Kakao's API takes.
 */
(function (global) {
  'use strict';

  var Kakao = global.Kakao;
  var sdk = Kakao._sdk;
  var KakaoError = Kakao.KakaoError;
  var TYPES = ['feed', 'list', 'location', 'commerce', 'text', 'calendar'];
  // Kakao's required keys of each default template (besides objectType).
  var REQUIRED = {
    feed: ['content'], list: ['headerTitle', 'contents'], location: ['content', 'address'],
    commerce: ['content', 'commerce'], text: ['text', 'link'], calendar: ['idType', 'id', 'content']
  };
  var SETTINGS_ONLY = ['container', 'installTalk', 'serverCallbackArgs', 'callback'];

  function snake(key) {
    return key.replace(/[A-Z]/g, function (c) { return '_' + c.toLowerCase(); });
  }

  // camelCase settings to the snake_case template object, dropping the SDK's own keys.
  function toTemplate(value, top) {
    if (Array.isArray(value)) return value.map(function (v) { return toTemplate(v, false); });
    if (!value || typeof value !== 'object') return value;
    var out = {};
    Object.keys(value).forEach(function (k) {
      if (top && SETTINGS_ONLY.indexOf(k) >= 0) return;
      out[snake(k)] = toTemplate(value[k], false);
    });
    return out;
  }

  function checkDefault(settings, fn) {
    sdk.requireKeys(settings, ['objectType'], fn);
    if (TYPES.indexOf(settings.objectType) < 0) {
      throw new KakaoError('Illegal argument for objectType: ' + settings.objectType + ' (one of ' + TYPES.join(', ') + ')');
    }
    sdk.requireKeys(settings, REQUIRED[settings.objectType], fn);
    if (settings.buttons && (!Array.isArray(settings.buttons) || settings.buttons.length > 2)) {
      throw new KakaoError('Illegal argument for buttons: an array of at most 2 buttons (' + fn + ')');
    }
    if (settings.objectType === 'text' && String(settings.text).length > 200) {
      throw new KakaoError('Illegal argument for text: at most 200 characters (' + fn + ')');
    }
  }

  function openSharer(action, params) {
    var url = sdk.origin + '/picker/link?' + sdk.query({
      app_key: sdk.state.appKey,
      ka: sdk.kakaoAgent(),
      validation_action: action,
      validation_params: JSON.stringify(params)
    });
    var popup = global.open(url, 'kakao_link_web_sharer', 'width=480, height=640');
    if (!popup) global.location.href = url; // popup blocked: share in this window
  }

  function sendDefault(settings, fn) {
    sdk.requireInit(fn);
    checkDefault(settings, fn);
    openSharer('default', { link_ver: '4.0', template_object: toTemplate(settings, true) });
  }

  function sendScrap(settings, fn) {
    sdk.requireInit(fn);
    sdk.requireKeys(settings, ['requestUrl'], fn);
    var params = { link_ver: '4.0', request_url: settings.requestUrl };
    if (settings.templateId) params.template_id = settings.templateId;
    if (settings.templateArgs) params.template_args = settings.templateArgs;
    openSharer('scrap', params);
  }

  var buttons = [];

  // Kakao's share buttons are the page's own element: clicking it shares.
  function bindButton(settings, fn, send) {
    sdk.requireInit(fn);
    sdk.requireKeys(settings, ['container'], fn);
    var element = sdk.resolveContainer(settings.container, fn);
    var handler = function (event) { event.preventDefault(); send(settings, fn); };
    element.addEventListener('click', handler);
    buttons.push({ element: element, handler: handler });
    return element;
  }

  Kakao.Share = {
    sendDefault: function (settings) { sendDefault(settings, 'Kakao.Share.sendDefault'); },
    sendScrap: function (settings) { sendScrap(settings, 'Kakao.Share.sendScrap'); },
    createDefaultButton: function (settings) {
      checkDefault(settings, 'Kakao.Share.createDefaultButton');
      return bindButton(settings, 'Kakao.Share.createDefaultButton', sendDefault);
    },
    createScrapButton: function (settings) {
      sdk.requireKeys(settings, ['requestUrl'], 'Kakao.Share.createScrapButton');
      return bindButton(settings, 'Kakao.Share.createScrapButton', sendScrap);
    },
    cleanup: function () {
      buttons.forEach(function (b) { b.element.removeEventListener('click', b.handler); });
      buttons = [];
    }
  };
})(window);
