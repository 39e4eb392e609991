// Closes a window the SDK opened (popups only; a tab the user opened stays).
setTimeout(function () { if (window.opener) { window.close(); } }, 1200);
