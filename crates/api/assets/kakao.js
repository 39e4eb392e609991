/*!
 * talkchannel JavaScript SDK: the subset of Kakao's JavaScript SDK (v2) that Kakao Talk
 * Channel integrations use, talking to the talkchannel server that served this file.
 * Kakao.init, isInitialized, cleanup, Auth.authorize / setAccessToken / getAccessToken /
 * getAppKey / getStatusInfo / logout, API.request, Channel.addChannel / chat / followChannel / createAddChannelButton /
 * createChatButton / cleanup. Plain ES5-compatible JavaScript, no build step.
 * Button images are talkchannel's own SVG drawings.
 */
(function (global) {
  'use strict';

  var VERSION = '2.7.4-talkchannel';
  var script = document.currentScript;
  var ORIGIN = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var state = { appKey: null, accessToken: null, buttons: [], timers: [] };

  function KakaoError(message) {
    var e = new Error(message);
    e.name = 'KakaoError';
    Object.setPrototypeOf(e, KakaoError.prototype);
    return e;
  }
  KakaoError.prototype = Object.create(Error.prototype);
  KakaoError.prototype.constructor = KakaoError;
  KakaoError.prototype.name = 'KakaoError';

  function requireInit(fn) {
    if (!state.appKey) {
      throw new KakaoError('Kakao.init() must be called before ' + fn + '()');
    }
  }

  function requireKeys(settings, keys, fn) {
    if (!settings || typeof settings !== 'object') {
      throw new KakaoError(fn + ': settings must be an object');
    }
    var missing = keys.filter(function (k) {
      return settings[k] === undefined || settings[k] === null || settings[k] === '';
    });
    if (missing.length) {
      throw new KakaoError('Missing required keys: ' + missing.join(',') + ' (' + fn + ')');
    }
  }

  function oneOf(value, allowed, name, fallback) {
    if (value === undefined || value === null || value === '') return fallback;
    if (allowed.indexOf(value) < 0) {
      throw new KakaoError('Illegal argument for ' + name + ': ' + value + ' (one of ' + allowed.join(', ') + ')');
    }
    return value;
  }

  function kakaoAgent() {
    return 'sdk/' + VERSION + ' os/javascript lang/' + (navigator.language || 'ko') +
      ' origin/' + encodeURIComponent(location.origin);
  }

  function query(params) {
    return Object.keys(params)
      .filter(function (k) { return params[k] !== undefined && params[k] !== null && params[k] !== ''; })
      .map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); })
      .join('&');
  }

  function randomId(length) {
    var alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    var bytes = new Uint8Array(length);
    crypto.getRandomValues(bytes);
    var out = '';
    for (var i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
    return out;
  }

  // ---- Kakao.Auth --------------------------------------------------------------------

  // An agt (POST /api/agt) lets a page the SDK opens sign the token's user in; a
  // Promise of the agt, or of null without a token or when the exchange fails.
  function requestAgt() {
    if (!state.accessToken) return Promise.resolve(null);
    return fetch(ORIGIN + '/api/agt', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: query({ client_id: state.appKey, access_token: state.accessToken })
    }).then(function (res) { return res.ok ? res.json() : {}; })
      .then(function (body) { return body.agt || null; }, function () { return null; });
  }

  function goAuthorize(settings, agt) {
    var scope = Array.isArray(settings.scope) ? settings.scope.join(',') : settings.scope;
    var channels = Array.isArray(settings.channelPublicId)
      ? settings.channelPublicId.join(',') : settings.channelPublicId;
    var url = ORIGIN + '/oauth/authorize?' + query({
      client_id: state.appKey,
      redirect_uri: settings.redirectUri,
      response_type: 'code',
      state: settings.state,
      scope: scope,
      prompt: settings.prompt,
      channel_public_id: channels,
      login_hint: settings.loginHint,
      nonce: settings.nonce,
      agt: agt,
      ka: kakaoAgent()
    });
    global.location.href = url;
  }

  var Auth = {
    authorize: function (settings) {
      requireInit('Kakao.Auth.authorize');
      settings = settings || {};
      requireKeys(settings, ['redirectUri'], 'Kakao.Auth.authorize');
      // Asking a signed-in user for more scopes: carry an agt so no new sign-in is needed.
      if (settings.scope && state.accessToken) {
        return requestAgt().then(function (agt) { goAuthorize(settings, agt); });
      }
      goAuthorize(settings, null);
    },
    getAppKey: function () {
      requireInit('Kakao.Auth.getAppKey');
      return state.appKey;
    },
    // Kakao: {status: 'connected', user} when /v2/user/me accepts the token,
    // {status: 'not_connected'} without one; a refused token rejects with Kakao's error.
    getStatusInfo: function () {
      requireInit('Kakao.Auth.getStatusInfo');
      if (!state.accessToken) return Promise.resolve({ status: 'not_connected' });
      return API.request({ url: '/v2/user/me' }).then(function (user) {
        return { status: 'connected', user: user };
      });
    },
    // POST /v1/user/logout; resolves with its answer ({id}) and forgets the token,
    // which the server no longer accepts either way.
    logout: function () {
      requireInit('Kakao.Auth.logout');
      if (!state.accessToken) {
        return Promise.reject({ code: -401, msg: 'there is no access token to log out; call Kakao.Auth.setAccessToken first' });
      }
      var done = function () { state.accessToken = null; };
      return API.request({ url: '/v1/user/logout' }).then(function (res) { done(); return res; },
        function (err) { done(); throw err; });
    },
    setAccessToken: function (token) {
      requireInit('Kakao.Auth.setAccessToken');
      state.accessToken = token || null;
    },
    getAccessToken: function () {
      requireInit('Kakao.Auth.getAccessToken');
      return state.accessToken;
    },
    cleanup: function () { state.accessToken = null; }
  };

  // ---- Kakao.API -----------------------------------------------------------------------

  // Kakao's SDK knows each API's method; these are the ones a channel integration uses.
  var METHODS = {
    '/v2/user/me': 'GET',
    '/v1/user/access_token_info': 'GET',
    '/v2/api/talk/channels': 'GET',
    '/v1/api/talk/channels': 'GET',
    '/v1/user/logout': 'POST',
    '/v1/user/unlink': 'POST'
  };

  var API = {
    request: function (settings) {
      requireInit('Kakao.API.request');
      requireKeys(settings, ['url'], 'Kakao.API.request');
      var path = settings.url;
      if (!/^\/v[12]\//.test(path)) {
        throw new KakaoError('Illegal argument for url: ' + path + ' (a kapi path such as /v2/user/me)');
      }
      var method = METHODS[path] || 'POST';
      var data = {};
      Object.keys(settings.data || {}).forEach(function (k) {
        var v = settings.data[k];
        data[k] = typeof v === 'object' && v !== null ? JSON.stringify(v) : v;
      });
      var headers = {
        'Authorization': state.accessToken ? 'Bearer ' + state.accessToken : 'KakaoAK ' + state.appKey,
        'KA': kakaoAgent()
      };
      var url = ORIGIN + path;
      var init = { method: method, headers: headers };
      if (method === 'GET') {
        var q = query(data);
        if (q) url += '?' + q;
      } else {
        headers['Content-Type'] = 'application/x-www-form-urlencoded;charset=utf-8';
        init.body = query(data);
      }
      return fetch(url, init).then(function (res) {
        return res.text().then(function (text) {
          var body;
          try { body = text ? JSON.parse(text) : {}; } catch (e) { body = { code: -1, msg: text }; }
          if (!res.ok) throw body;
          return body;
        });
      });
    },
    cleanup: function () {}
  };

  // ---- Kakao.Channel ---------------------------------------------------------------------

  function bridgeUrl(channelPublicId, page) {
    return ORIGIN + '/' + encodeURIComponent(channelPublicId) + '/' + page + '?' + query({
      api_ver: '1.1',
      kakao_agent: kakaoAgent(),
      app_key: state.appKey,
      referer: location.origin + location.pathname + location.search
    });
  }

  function openBridge(channelPublicId, page, name) {
    var url = bridgeUrl(channelPublicId, page);
    var popup = global.open(url, name, 'width=350, height=510');
    if (!popup) global.location.href = url; // popup blocked: go there in this window
    return popup;
  }

  function resolveContainer(container, fn) {
    var element = typeof container === 'string' ? document.querySelector(container) : container;
    if (!element || !element.nodeType) {
      throw new KakaoError(fn + ': container must be an Element or a selector of one');
    }
    return element;
  }

  function data(element, name) {
    var v = element.getAttribute('data-' + name);
    return v === null ? undefined : v;
  }

  function bool(v) {
    return v === true || v === 'true';
  }

  // Our own button drawings (no Kakao artwork): a speech-bubble mark and a label.
  var LABELS = {
    add: { ko: '채널 추가', en: 'Add channel' },
    consult: { ko: '채널 상담', en: 'Chat' },
    question: { ko: '채널 문의', en: 'Ask' }
  };

  function label(kind) {
    var lang = (navigator.language || 'ko').toLowerCase().indexOf('ko') === 0 ? 'ko' : 'en';
    return LABELS[kind][lang];
  }

  function escapeXml(s) {
    return String(s).replace(/[<>&"']/g, function (c) {
      return { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function buttonSvg(text, size, color, shape) {
    var large = size === 'large';
    var dark = color === 'black' || color === 'mono';
    var fill = dark ? '#2b2b2b' : '#ffd43b';
    var ink = dark ? '#ffffff' : '#191600';
    var bubble = '<path fill="' + ink + '" d="M12 5C7.6 5 4 7.8 4 11.3c0 2.2 1.5 4.2 3.7 5.3l-.7 2.7c-.1.3.2.5.5.3l3.2-2.1c.4 0 .9.1 1.3.1 4.4 0 8-2.8 8-6.3S16.4 5 12 5z"/>';
    if (shape === 'mobile') {
      var d = large ? 64 : 44;
      return '<svg xmlns="http://www.w3.org/2000/svg" width="' + d + '" height="' + d + '" viewBox="0 0 24 24" role="img" aria-label="' + escapeXml(text) + '">' +
        '<circle cx="12" cy="12" r="12" fill="' + fill + '"/><g transform="translate(2.4 1.6) scale(.8)">' + bubble + '</g></svg>';
    }
    var w = large ? 176 : 100, h = large ? 48 : 30, font = large ? 17 : 12;
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + ' ' + h + '" role="img" aria-label="' + escapeXml(text) + '">' +
      '<rect width="' + w + '" height="' + h + '" rx="' + (h / 4) + '" fill="' + fill + '"/>' +
      '<g transform="translate(' + (h * 0.22) + ' ' + (h * 0.12) + ') scale(' + (h / 32) + ')">' + bubble + '</g>' +
      '<text x="' + (h * 0.98) + '" y="' + (h / 2) + '" dominant-baseline="central" font-family="system-ui, sans-serif" font-weight="700" font-size="' + font + '" fill="' + ink + '">' + escapeXml(text) + '</text></svg>';
  }

  function renderButton(container, kind, options, onClick) {
    var svg = buttonSvg(label(kind), options.size, options.color, options.shape);
    var src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
    var anchor = document.createElement('a');
    anchor.href = '#';
    anchor.className = 'talkchannel-' + kind + '-button';
    anchor.setAttribute('role', 'button');
    anchor.title = label(kind);
    var img = document.createElement('img');
    img.src = src;
    if (options.supportMultipleDensities) {
      // Kakao adds _2X/_3X bitmaps; an SVG is sharp at every density already (a srcset
      // of the same SVG with 2x/3x would only shrink it), so the option is only recorded.
      img.setAttribute('data-multiple-densities', 'true');
    }
    img.alt = label(kind);
    img.style.border = '0';
    img.style.display = 'block';
    anchor.appendChild(img);
    var handler = function (event) { event.preventDefault(); onClick(); };
    anchor.addEventListener('click', handler);
    container.appendChild(anchor);
    state.buttons.push({ anchor: anchor, handler: handler });
    return anchor;
  }

  var FOLLOW_POLL_MS = 400;

  var Channel = {
    addChannel: function (settings) {
      requireInit('Kakao.Channel.addChannel');
      requireKeys(settings, ['channelPublicId'], 'Kakao.Channel.addChannel');
      openBridge(settings.channelPublicId, 'friend', 'channel_add_social_plugin');
    },
    chat: function (settings) {
      requireInit('Kakao.Channel.chat');
      requireKeys(settings, ['channelPublicId'], 'Kakao.Channel.chat');
      openBridge(settings.channelPublicId, 'chat', 'channel_chat_social_plugin');
    },
    followChannel: function (settings) {
      requireInit('Kakao.Channel.followChannel');
      requireKeys(settings, ['channelPublicId'], 'Kakao.Channel.followChannel');
      var channelPublicId = settings.channelPublicId;
      var transId = randomId(60);
      var url = ORIGIN + '/talk/channel/follow?' + query({
        app_key: state.appKey,
        channel_public_id: channelPublicId,
        trans_id: transId,
        ka: kakaoAgent()
      });
      // With a token, the popup opens blank (still inside the click, so it is not
      // blocked) and goes on once the agt that signs the user in is there.
      var popup = global.open(state.accessToken ? 'about:blank' : url,
        'follow_channel_' + transId.slice(0, 8), 'width=460,height=608');
      if (popup && state.accessToken) {
        requestAgt().then(function (agt) {
          popup.location.href = agt ? url + '&agt=' + encodeURIComponent(agt) : url;
        });
      }
      return new Promise(function (resolve, reject) {
        if (!popup) {
          reject({ error_code: 'KAE007', error_msg: 'the popup was blocked; call followChannel from a click handler' });
          return;
        }
        var closedSeen = false;
        var timer = setInterval(poll, FOLLOW_POLL_MS);
        state.timers.push(timer);
        function finish() { clearInterval(timer); }
        function poll() {
          var closed = popup.closed;
          fetch(ORIGIN + '/talk/channel/follow/result?trans_id=' + transId, { cache: 'no-store' })
            .then(function (res) { return res.json(); })
            .then(function (result) {
              if (result.status === 'success' || result.status === 'fail') {
                finish();
                resolve({ status: result.status, channel_public_id: result.channel_public_id });
              } else if (result.status === 'error') {
                finish();
                reject({ error_code: result.error_code, error_msg: result.error_msg });
              } else if (closed) {
                // The user closed the window without answering: one last look, then fail.
                if (closedSeen) {
                  finish();
                  resolve({ status: 'fail', channel_public_id: channelPublicId });
                }
                closedSeen = true;
              }
            })
            .catch(function () { /* network blip: try again on the next tick */ });
        }
      });
    },
    createAddChannelButton: function (settings) {
      requireInit('Kakao.Channel.createAddChannelButton');
      requireKeys(settings, ['container'], 'Kakao.Channel.createAddChannelButton');
      var container = resolveContainer(settings.container, 'Kakao.Channel.createAddChannelButton');
      var channelPublicId = settings.channelPublicId || data(container, 'channel-public-id');
      if (!channelPublicId) throw new KakaoError('Missing required keys: channelPublicId (Kakao.Channel.createAddChannelButton)');
      var options = {
        size: oneOf(settings.size || data(container, 'size'), ['small', 'large'], 'size', 'small'),
        color: 'yellow',
        shape: 'pc',
        supportMultipleDensities: bool(settings.supportMultipleDensities) || bool(data(container, 'support-multiple-densities'))
      };
      return renderButton(container, 'add', options, function () {
        Channel.addChannel({ channelPublicId: channelPublicId });
      });
    },
    createChatButton: function (settings) {
      requireInit('Kakao.Channel.createChatButton');
      requireKeys(settings, ['container'], 'Kakao.Channel.createChatButton');
      var container = resolveContainer(settings.container, 'Kakao.Channel.createChatButton');
      var channelPublicId = settings.channelPublicId || data(container, 'channel-public-id');
      if (!channelPublicId) throw new KakaoError('Missing required keys: channelPublicId (Kakao.Channel.createChatButton)');
      var title = oneOf(settings.title || data(container, 'title'), ['consult', 'question'], 'title', 'consult');
      var options = {
        size: oneOf(settings.size || data(container, 'size'), ['small', 'large'], 'size', 'small'),
        // Kakao's v2 SDK: yellow | black; v1's `mono` is the same dark button.
        color: oneOf(settings.color || data(container, 'color'), ['yellow', 'black', 'mono'], 'color', 'yellow'),
        shape: oneOf(settings.shape || data(container, 'shape'), ['pc', 'mobile'], 'shape', 'pc'),
        supportMultipleDensities: bool(settings.supportMultipleDensities) || bool(data(container, 'support-multiple-densities'))
      };
      return renderButton(container, title, options, function () {
        Channel.chat({ channelPublicId: channelPublicId });
      });
    },
    cleanup: function () {
      state.buttons.forEach(function (b) {
        b.anchor.removeEventListener('click', b.handler);
        if (b.anchor.parentNode) b.anchor.parentNode.removeChild(b.anchor);
      });
      state.buttons = [];
      state.timers.forEach(clearInterval);
      state.timers = [];
    }
  };

  // ---- Kakao -------------------------------------------------------------------------------

  var Kakao = {
    VERSION: VERSION,
    init: function (appKey) {
      if (typeof appKey !== 'string' || !appKey) {
        throw new KakaoError('Kakao.init: the JavaScript key must be a non-empty string');
      }
      if (state.appKey) {
        throw new KakaoError('Kakao.init: Already initialized');
      }
      state.appKey = appKey;
    },
    isInitialized: function () { return !!state.appKey; },
    cleanup: function () {
      if (Kakao.Share) Kakao.Share.cleanup();
      Channel.cleanup();
      Auth.cleanup();
      API.cleanup();
      state.appKey = null;
    },
    Auth: Auth,
    API: API,
    Channel: Channel,
    KakaoError: KakaoError,
    // For the modules appended to this file (kakao-share.js), not for pages.
    _sdk: {
      origin: ORIGIN, kakaoAgent: kakaoAgent, query: query, requireInit: requireInit,
      requireKeys: requireKeys, resolveContainer: resolveContainer, renderButton: renderButton,
      label: label, state: state
    }
  };

  global.Kakao = Kakao;
})(window);
