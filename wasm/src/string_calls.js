// Linked into the glue (--post-js): the module's text functions over the plain C exports of
// bindings.cpp. Each text argument is written into its argument buffer in the module's memory with
// TextEncoder, the export is called, and the result text is read back with TextDecoder: no embind,
// no byte-by-byte copies. The names and signatures are those wasm/index.js calls
// (module.loadProtocol(text, overrides) -> envelope text, ...).
(function attachTextCalls(module) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  // Text argument `index` into its buffer. The heap is read after each call into the module:
  // sizing a buffer may grow the memory, which replaces HEAPU8.
  function argument(index, text) {
    if (text.length === 0) {
      _prescreen_arg(index, 0);
      return;
    }
    const room = text.length * 3; // a UTF-16 code unit is at most 3 UTF-8 bytes
    const at = _prescreen_arg(index, room);
    const { written } = encoder.encodeInto(text, HEAPU8.subarray(at, at + room));
    _prescreen_arg(index, written);
  }

  function result(size) {
    const at = _prescreen_output();
    return decoder.decode(HEAPU8.subarray(at, at + size));
  }

  // An entry point taking `count` text arguments (after an optional protocol handle).
  function texts(call, count) {
    return function (...args) {
      for (let i = 0; i < count; i++) argument(i, String(args[i] ?? ''));
      return result(call());
    };
  }
  function handleAndTexts(call, count) {
    return function (handle, ...args) {
      for (let i = 0; i < count; i++) argument(i, String(args[i] ?? ''));
      return result(call(handle >>> 0));
    };
  }

  module.loadProtocol = texts(() => _prescreen_load_protocol(), 3);
  module.lintProtocol = texts(() => _prescreen_lint_protocol(), 3);
  module.disposeProtocol = (handle) => _prescreen_dispose_protocol(handle >>> 0) !== 0;
  module.liveProtocols = () => _prescreen_live_protocols() >>> 0;
  module.protocolItems = handleAndTexts((h) => _prescreen_protocol_items(h), 0);
  module.protocolRules = handleAndTexts((h) => _prescreen_protocol_rules(h), 0);
  module.protocolParameters = handleAndTexts((h) => _prescreen_protocol_parameters(h), 0);
  module.protocolDocument = handleAndTexts((h) => _prescreen_protocol_document(h), 0);
  module.protocolOverrides = handleAndTexts((h) => _prescreen_protocol_overrides(h), 0);
  module.form = handleAndTexts((h) => _prescreen_form(h), 3);
  module.screen = handleAndTexts((h) => _prescreen_screen(h), 3);
  module.consent = handleAndTexts((h) => _prescreen_consent(h), 4);
  module.consentDocument = handleAndTexts((h) => _prescreen_consent_document(h), 3);
  module.informationRecord = handleAndTexts((h) => _prescreen_information_record(h), 3);
  module.verifyConsent = texts(() => _prescreen_verify_consent(), 2);
  module.consentStatus = texts(() => _prescreen_consent_status(), 4);
  module.applyLogic = texts(() => _prescreen_apply_logic(), 4);
  module.canonicalJson = texts(() => _prescreen_canonical_json(), 1);
  module.engineVersion = texts(() => _prescreen_engine_version(), 0);

  // The answers buffer as a raw area, for callers that encode straight into the heap
  // (bench/wasm_node.mjs): inputBuffer(size) -> address; screenInMemory(handle, today, locale)
  // screens what was written there and returns the size of the result at outputPointer().
  module.inputBuffer = (size) => _prescreen_arg(0, size);
  module.outputPointer = () => _prescreen_output();
  module.screenInMemory = (handle, today, locale) => {
    argument(1, String(today ?? ''));
    argument(2, String(locale ?? ''));
    return _prescreen_screen(handle >>> 0);
  };
  module.formInMemory = (handle, today, locale) => {
    argument(1, String(today ?? ''));
    argument(2, String(locale ?? ''));
    return _prescreen_form(handle >>> 0);
  };
})(Module);
