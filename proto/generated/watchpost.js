/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const watchpost = $root.watchpost = (() => {

    /**
     * Namespace watchpost.
     * @exports watchpost
     * @namespace
     */
    const watchpost = {};

    watchpost.v1 = (function() {

        /**
         * Namespace v1.
         * @memberof watchpost
         * @namespace
         */
        const v1 = {};

        v1.Envelope = (function() {

            /**
             * Properties of an Envelope.
             * @typedef {Object} watchpost.v1.Envelope.$Properties
             * @property {watchpost.v1.Hello.$Properties|null} [hello] Envelope hello
             * @property {watchpost.v1.Welcome.$Properties|null} [welcome] Envelope welcome
             * @property {watchpost.v1.Batch.$Properties|null} [batch] Envelope batch
             * @property {watchpost.v1.Ack.$Properties|null} [ack] Envelope ack
             * @property {watchpost.v1.Error.$Properties|null} [error] Envelope error
             * @property {watchpost.v1.Policy.$Properties|null} [policy] Envelope policy
             * @property {watchpost.v1.Heartbeat.$Properties|null} [heartbeat] Envelope heartbeat
             * @property {watchpost.v1.UpdateOffer.$Properties|null} [updateOffer] Envelope updateOffer
             * @property {watchpost.v1.PatchPlan.$Properties|null} [patchPlan] Envelope patchPlan
             * @property {watchpost.v1.AvAction.$Properties|null} [avAction] Envelope avAction
             * @property {"hello"|"welcome"|"batch"|"ack"|"error"|"policy"|"heartbeat"|"updateOffer"|"patchPlan"|"avAction"} [msg] Envelope msg
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an Envelope.
             * @memberof watchpost.v1
             * @interface IEnvelope
             * @augments watchpost.v1.Envelope.$Properties
             * @deprecated Use watchpost.v1.Envelope.$Properties instead.
             */

            /**
             * Narrowed shape of an Envelope.
             * @typedef {{
             *   hello?: watchpost.v1.Hello.$Shape|null;
             *   welcome?: watchpost.v1.Welcome.$Shape|null;
             *   batch?: watchpost.v1.Batch.$Shape|null;
             *   ack?: watchpost.v1.Ack.$Shape|null;
             *   error?: watchpost.v1.Error.$Shape|null;
             *   policy?: watchpost.v1.Policy.$Shape|null;
             *   heartbeat?: watchpost.v1.Heartbeat.$Shape|null;
             *   updateOffer?: watchpost.v1.UpdateOffer.$Shape|null;
             *   patchPlan?: watchpost.v1.PatchPlan.$Shape|null;
             *   avAction?: watchpost.v1.AvAction.$Shape|null;
             *   $unknowns?: Array.<Uint8Array>;
             * } & (
             *   ({ msg?: undefined; hello?: null; welcome?: null; batch?: null; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "hello"; hello: watchpost.v1.Hello.$Shape; welcome?: null; batch?: null; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "welcome"; hello?: null; welcome: watchpost.v1.Welcome.$Shape; batch?: null; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "batch"; hello?: null; welcome?: null; batch: watchpost.v1.Batch.$Shape; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "ack"; hello?: null; welcome?: null; batch?: null; ack: watchpost.v1.Ack.$Shape; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "error"; hello?: null; welcome?: null; batch?: null; ack?: null; error: watchpost.v1.Error.$Shape; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "policy"; hello?: null; welcome?: null; batch?: null; ack?: null; error?: null; policy: watchpost.v1.Policy.$Shape; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "heartbeat"; hello?: null; welcome?: null; batch?: null; ack?: null; error?: null; policy?: null; heartbeat: watchpost.v1.Heartbeat.$Shape; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "updateOffer"; hello?: null; welcome?: null; batch?: null; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer: watchpost.v1.UpdateOffer.$Shape; patchPlan?: null; avAction?: null }|{ msg?: "patchPlan"; hello?: null; welcome?: null; batch?: null; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan: watchpost.v1.PatchPlan.$Shape; avAction?: null }|{ msg?: "avAction"; hello?: null; welcome?: null; batch?: null; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction: watchpost.v1.AvAction.$Shape })
             * )} watchpost.v1.Envelope.$Shape
             */

            /**
             * Constructs a new Envelope.
             * @memberof watchpost.v1
             * @classdesc Represents an Envelope.
             * @constructor
             * @param {watchpost.v1.Envelope.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Envelope = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Envelope hello.
             * @member {watchpost.v1.Hello.$Properties|null|undefined} hello
             * @memberof watchpost.v1.Envelope
             * @instance
             */
            Envelope.prototype.hello = null;

            /**
             * Envelope welcome.
             * @member {watchpost.v1.Welcome.$Properties|null|undefined} welcome
             * @memberof watchpost.v1.Envelope
             * @instance
             */
            Envelope.prototype.welcome = null;

            /**
             * Envelope batch.
             * @member {watchpost.v1.Batch.$Properties|null|undefined} batch
             * @memberof watchpost.v1.Envelope
             * @instance
             */
            Envelope.prototype.batch = null;

            /**
             * Envelope ack.
             * @member {watchpost.v1.Ack.$Properties|null|undefined} ack
             * @memberof watchpost.v1.Envelope
             * @instance
             */
            Envelope.prototype.ack = null;

            /**
             * Envelope error.
             * @member {watchpost.v1.Error.$Properties|null|undefined} error
             * @memberof watchpost.v1.Envelope
             * @instance
             */
            Envelope.prototype.error = null;

            /**
             * Envelope policy.
             * @member {watchpost.v1.Policy.$Properties|null|undefined} policy
             * @memberof watchpost.v1.Envelope
             * @instance
             */
            Envelope.prototype.policy = null;

            /**
             * Envelope heartbeat.
             * @member {watchpost.v1.Heartbeat.$Properties|null|undefined} heartbeat
             * @memberof watchpost.v1.Envelope
             * @instance
             */
            Envelope.prototype.heartbeat = null;

            /**
             * Envelope updateOffer.
             * @member {watchpost.v1.UpdateOffer.$Properties|null|undefined} updateOffer
             * @memberof watchpost.v1.Envelope
             * @instance
             */
            Envelope.prototype.updateOffer = null;

            /**
             * Envelope patchPlan.
             * @member {watchpost.v1.PatchPlan.$Properties|null|undefined} patchPlan
             * @memberof watchpost.v1.Envelope
             * @instance
             */
            Envelope.prototype.patchPlan = null;

            /**
             * Envelope avAction.
             * @member {watchpost.v1.AvAction.$Properties|null|undefined} avAction
             * @memberof watchpost.v1.Envelope
             * @instance
             */
            Envelope.prototype.avAction = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            /**
             * Envelope msg.
             * @member {"hello"|"welcome"|"batch"|"ack"|"error"|"policy"|"heartbeat"|"updateOffer"|"patchPlan"|"avAction"|undefined} msg
             * @memberof watchpost.v1.Envelope
             * @instance
             */
            $Object.defineProperty(Envelope.prototype, "msg", {
                get: $util.oneOfGetter($oneOfFields = ["hello", "welcome", "batch", "ack", "error", "policy", "heartbeat", "updateOffer", "patchPlan", "avAction"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Encodes the specified Envelope message. Does not implicitly {@link watchpost.v1.Envelope.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.Envelope
             * @static
             * @param {watchpost.v1.Envelope.$Properties} message Envelope message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Envelope.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.hello != null && $Object.hasOwnProperty.call(message, "hello"))
                    $root.watchpost.v1.Hello.encode(message.hello, writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                if (message.welcome != null && $Object.hasOwnProperty.call(message, "welcome"))
                    $root.watchpost.v1.Welcome.encode(message.welcome, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.batch != null && $Object.hasOwnProperty.call(message, "batch"))
                    $root.watchpost.v1.Batch.encode(message.batch, writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                if (message.ack != null && $Object.hasOwnProperty.call(message, "ack"))
                    $root.watchpost.v1.Ack.encode(message.ack, writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                if (message.error != null && $Object.hasOwnProperty.call(message, "error"))
                    $root.watchpost.v1.Error.encode(message.error, writer.uint32(/* id 5, wireType 2 =*/42).fork(), _depth + 1).ldelim();
                if (message.policy != null && $Object.hasOwnProperty.call(message, "policy"))
                    $root.watchpost.v1.Policy.encode(message.policy, writer.uint32(/* id 6, wireType 2 =*/50).fork(), _depth + 1).ldelim();
                if (message.heartbeat != null && $Object.hasOwnProperty.call(message, "heartbeat"))
                    $root.watchpost.v1.Heartbeat.encode(message.heartbeat, writer.uint32(/* id 7, wireType 2 =*/58).fork(), _depth + 1).ldelim();
                if (message.updateOffer != null && $Object.hasOwnProperty.call(message, "updateOffer"))
                    $root.watchpost.v1.UpdateOffer.encode(message.updateOffer, writer.uint32(/* id 8, wireType 2 =*/66).fork(), _depth + 1).ldelim();
                if (message.patchPlan != null && $Object.hasOwnProperty.call(message, "patchPlan"))
                    $root.watchpost.v1.PatchPlan.encode(message.patchPlan, writer.uint32(/* id 9, wireType 2 =*/74).fork(), _depth + 1).ldelim();
                if (message.avAction != null && $Object.hasOwnProperty.call(message, "avAction"))
                    $root.watchpost.v1.AvAction.encode(message.avAction, writer.uint32(/* id 10, wireType 2 =*/82).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an Envelope message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.Envelope
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.Envelope & watchpost.v1.Envelope.$Shape} Envelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Envelope.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.Envelope();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            message.hello = $root.watchpost.v1.Hello.decode(reader, reader.size(), $undefined, _depth + 1, message.hello);
                            message.msg = "hello";
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            message.welcome = $root.watchpost.v1.Welcome.decode(reader, reader.size(), $undefined, _depth + 1, message.welcome);
                            message.msg = "welcome";
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            message.batch = $root.watchpost.v1.Batch.decode(reader, reader.size(), $undefined, _depth + 1, message.batch);
                            message.msg = "batch";
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            message.ack = $root.watchpost.v1.Ack.decode(reader, reader.size(), $undefined, _depth + 1, message.ack);
                            message.msg = "ack";
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            message.error = $root.watchpost.v1.Error.decode(reader, reader.size(), $undefined, _depth + 1, message.error);
                            message.msg = "error";
                            continue;
                        }
                    case 6: {
                            if (wireType !== 2)
                                break;
                            message.policy = $root.watchpost.v1.Policy.decode(reader, reader.size(), $undefined, _depth + 1, message.policy);
                            message.msg = "policy";
                            continue;
                        }
                    case 7: {
                            if (wireType !== 2)
                                break;
                            message.heartbeat = $root.watchpost.v1.Heartbeat.decode(reader, reader.size(), $undefined, _depth + 1, message.heartbeat);
                            message.msg = "heartbeat";
                            continue;
                        }
                    case 8: {
                            if (wireType !== 2)
                                break;
                            message.updateOffer = $root.watchpost.v1.UpdateOffer.decode(reader, reader.size(), $undefined, _depth + 1, message.updateOffer);
                            message.msg = "updateOffer";
                            continue;
                        }
                    case 9: {
                            if (wireType !== 2)
                                break;
                            message.patchPlan = $root.watchpost.v1.PatchPlan.decode(reader, reader.size(), $undefined, _depth + 1, message.patchPlan);
                            message.msg = "patchPlan";
                            continue;
                        }
                    case 10: {
                            if (wireType !== 2)
                                break;
                            message.avAction = $root.watchpost.v1.AvAction.decode(reader, reader.size(), $undefined, _depth + 1, message.avAction);
                            message.msg = "avAction";
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Envelope
             * @function getTypeUrl
             * @memberof watchpost.v1.Envelope
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Envelope.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.Envelope";
            };

            return Envelope;
        })();

        v1.Hello = (function() {

            /**
             * Properties of a Hello.
             * @typedef {Object} watchpost.v1.Hello.$Properties
             * @property {number|null} [protocolVersion] Hello protocolVersion
             * @property {string|null} [agentVersion] Hello agentVersion
             * @property {string|null} [hostname] Hello hostname
             * @property {string|null} [os] Hello os
             * @property {string|null} [arch] Hello arch
             * @property {number|null} [nextSeq] Hello nextSeq
             * @property {Array.<string>|null} [features] Hello features
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Hello.
             * @memberof watchpost.v1
             * @interface IHello
             * @augments watchpost.v1.Hello.$Properties
             * @deprecated Use watchpost.v1.Hello.$Properties instead.
             */

            /**
             * Shape of a Hello.
             * @typedef {watchpost.v1.Hello.$Properties} watchpost.v1.Hello.$Shape
             */

            /**
             * Constructs a new Hello.
             * @memberof watchpost.v1
             * @classdesc Represents a Hello.
             * @constructor
             * @param {watchpost.v1.Hello.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Hello = function (properties) {
                this.features = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Hello protocolVersion.
             * @member {number} protocolVersion
             * @memberof watchpost.v1.Hello
             * @instance
             */
            Hello.prototype.protocolVersion = 0;

            /**
             * Hello agentVersion.
             * @member {string} agentVersion
             * @memberof watchpost.v1.Hello
             * @instance
             */
            Hello.prototype.agentVersion = "";

            /**
             * Hello hostname.
             * @member {string} hostname
             * @memberof watchpost.v1.Hello
             * @instance
             */
            Hello.prototype.hostname = "";

            /**
             * Hello os.
             * @member {string} os
             * @memberof watchpost.v1.Hello
             * @instance
             */
            Hello.prototype.os = "";

            /**
             * Hello arch.
             * @member {string} arch
             * @memberof watchpost.v1.Hello
             * @instance
             */
            Hello.prototype.arch = "";

            /**
             * Hello nextSeq.
             * @member {number} nextSeq
             * @memberof watchpost.v1.Hello
             * @instance
             */
            Hello.prototype.nextSeq = 0;

            /**
             * Hello features.
             * @member {Array.<string>} features
             * @memberof watchpost.v1.Hello
             * @instance
             */
            Hello.prototype.features = $util.emptyArray;

            /**
             * Encodes the specified Hello message. Does not implicitly {@link watchpost.v1.Hello.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.Hello
             * @static
             * @param {watchpost.v1.Hello.$Properties} message Hello message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Hello.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.protocolVersion != null && $Object.hasOwnProperty.call(message, "protocolVersion") && message.protocolVersion !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.protocolVersion);
                if (message.agentVersion != null && $Object.hasOwnProperty.call(message, "agentVersion") && message.agentVersion !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.agentVersion);
                if (message.hostname != null && $Object.hasOwnProperty.call(message, "hostname") && message.hostname !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.hostname);
                if (message.os != null && $Object.hasOwnProperty.call(message, "os") && message.os !== "")
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.os);
                if (message.arch != null && $Object.hasOwnProperty.call(message, "arch") && message.arch !== "")
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.arch);
                if (message.nextSeq != null && $Object.hasOwnProperty.call(message, "nextSeq") && message.nextSeq !== 0)
                    writer.uint32(/* id 6, wireType 0 =*/48).uint32(message.nextSeq);
                if (message.features != null && message.features.length)
                    for (let i = 0; i < message.features.length; ++i)
                        writer.uint32(/* id 7, wireType 2 =*/58).string(message.features[i]);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Hello message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.Hello
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.Hello & watchpost.v1.Hello.$Shape} Hello
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Hello.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.Hello();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.protocolVersion = value;
                            else
                                delete message.protocolVersion;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.agentVersion = value;
                            else
                                delete message.agentVersion;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.hostname = value;
                            else
                                delete message.hostname;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.os = value;
                            else
                                delete message.os;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.arch = value;
                            else
                                delete message.arch;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.nextSeq = value;
                            else
                                delete message.nextSeq;
                            continue;
                        }
                    case 7: {
                            if (wireType !== 2)
                                break;
                            if (!(message.features && message.features.length))
                                message.features = [];
                            message.features.push(reader.stringVerify());
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Hello
             * @function getTypeUrl
             * @memberof watchpost.v1.Hello
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Hello.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.Hello";
            };

            return Hello;
        })();

        v1.Welcome = (function() {

            /**
             * Properties of a Welcome.
             * @typedef {Object} watchpost.v1.Welcome.$Properties
             * @property {string|null} [agentId] Welcome agentId
             * @property {string|null} [tenant] Welcome tenant
             * @property {number|null} [lastAckedSeq] Welcome lastAckedSeq
             * @property {watchpost.v1.Policy.$Properties|null} [policy] Welcome policy
             * @property {number|null} [heartbeatSeconds] Welcome heartbeatSeconds
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Welcome.
             * @memberof watchpost.v1
             * @interface IWelcome
             * @augments watchpost.v1.Welcome.$Properties
             * @deprecated Use watchpost.v1.Welcome.$Properties instead.
             */

            /**
             * Shape of a Welcome.
             * @typedef {watchpost.v1.Welcome.$Properties} watchpost.v1.Welcome.$Shape
             */

            /**
             * Constructs a new Welcome.
             * @memberof watchpost.v1
             * @classdesc Represents a Welcome.
             * @constructor
             * @param {watchpost.v1.Welcome.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Welcome = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Welcome agentId.
             * @member {string} agentId
             * @memberof watchpost.v1.Welcome
             * @instance
             */
            Welcome.prototype.agentId = "";

            /**
             * Welcome tenant.
             * @member {string} tenant
             * @memberof watchpost.v1.Welcome
             * @instance
             */
            Welcome.prototype.tenant = "";

            /**
             * Welcome lastAckedSeq.
             * @member {number} lastAckedSeq
             * @memberof watchpost.v1.Welcome
             * @instance
             */
            Welcome.prototype.lastAckedSeq = 0;

            /**
             * Welcome policy.
             * @member {watchpost.v1.Policy.$Properties|null|undefined} policy
             * @memberof watchpost.v1.Welcome
             * @instance
             */
            Welcome.prototype.policy = null;

            /**
             * Welcome heartbeatSeconds.
             * @member {number} heartbeatSeconds
             * @memberof watchpost.v1.Welcome
             * @instance
             */
            Welcome.prototype.heartbeatSeconds = 0;

            /**
             * Encodes the specified Welcome message. Does not implicitly {@link watchpost.v1.Welcome.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.Welcome
             * @static
             * @param {watchpost.v1.Welcome.$Properties} message Welcome message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Welcome.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.agentId != null && $Object.hasOwnProperty.call(message, "agentId") && message.agentId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.agentId);
                if (message.tenant != null && $Object.hasOwnProperty.call(message, "tenant") && message.tenant !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.tenant);
                if (message.lastAckedSeq != null && $Object.hasOwnProperty.call(message, "lastAckedSeq") && message.lastAckedSeq !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.lastAckedSeq);
                if (message.policy != null && $Object.hasOwnProperty.call(message, "policy"))
                    $root.watchpost.v1.Policy.encode(message.policy, writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                if (message.heartbeatSeconds != null && $Object.hasOwnProperty.call(message, "heartbeatSeconds") && message.heartbeatSeconds !== 0)
                    writer.uint32(/* id 5, wireType 0 =*/40).uint32(message.heartbeatSeconds);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Welcome message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.Welcome
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.Welcome & watchpost.v1.Welcome.$Shape} Welcome
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Welcome.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.Welcome();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.agentId = value;
                            else
                                delete message.agentId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.tenant = value;
                            else
                                delete message.tenant;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.lastAckedSeq = value;
                            else
                                delete message.lastAckedSeq;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            message.policy = $root.watchpost.v1.Policy.decode(reader, reader.size(), $undefined, _depth + 1, message.policy);
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.heartbeatSeconds = value;
                            else
                                delete message.heartbeatSeconds;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Welcome
             * @function getTypeUrl
             * @memberof watchpost.v1.Welcome
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Welcome.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.Welcome";
            };

            return Welcome;
        })();

        v1.Batch = (function() {

            /**
             * Properties of a Batch.
             * @typedef {Object} watchpost.v1.Batch.$Properties
             * @property {number|null} [seq] Batch seq
             * @property {Array.<watchpost.v1.Sample.$Properties>|null} [samples] Batch samples
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Batch.
             * @memberof watchpost.v1
             * @interface IBatch
             * @augments watchpost.v1.Batch.$Properties
             * @deprecated Use watchpost.v1.Batch.$Properties instead.
             */

            /**
             * Shape of a Batch.
             * @typedef {{
             *   seq?: number|null;
             *   samples?: Array.<watchpost.v1.Sample.$Shape>|null;
             *   $unknowns?: Array.<Uint8Array>;
             * }} watchpost.v1.Batch.$Shape
             */

            /**
             * Constructs a new Batch.
             * @memberof watchpost.v1
             * @classdesc Represents a Batch.
             * @constructor
             * @param {watchpost.v1.Batch.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Batch = function (properties) {
                this.samples = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Batch seq.
             * @member {number} seq
             * @memberof watchpost.v1.Batch
             * @instance
             */
            Batch.prototype.seq = 0;

            /**
             * Batch samples.
             * @member {Array.<watchpost.v1.Sample.$Properties>} samples
             * @memberof watchpost.v1.Batch
             * @instance
             */
            Batch.prototype.samples = $util.emptyArray;

            /**
             * Encodes the specified Batch message. Does not implicitly {@link watchpost.v1.Batch.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.Batch
             * @static
             * @param {watchpost.v1.Batch.$Properties} message Batch message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Batch.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.seq != null && $Object.hasOwnProperty.call(message, "seq") && message.seq !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.seq);
                if (message.samples != null && message.samples.length)
                    for (let i = 0; i < message.samples.length; ++i)
                        $root.watchpost.v1.Sample.encode(message.samples[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Batch message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.Batch
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.Batch & watchpost.v1.Batch.$Shape} Batch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Batch.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.Batch();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.seq = value;
                            else
                                delete message.seq;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if (!(message.samples && message.samples.length))
                                message.samples = [];
                            message.samples.push($root.watchpost.v1.Sample.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Batch
             * @function getTypeUrl
             * @memberof watchpost.v1.Batch
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Batch.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.Batch";
            };

            return Batch;
        })();

        v1.Sample = (function() {

            /**
             * Properties of a Sample.
             * @typedef {Object} watchpost.v1.Sample.$Properties
             * @property {string|null} [measurement] Sample measurement
             * @property {number|null} [timeMs] Sample timeMs
             * @property {Array.<watchpost.v1.Tag.$Properties>|null} [tags] Sample tags
             * @property {Array.<watchpost.v1.Field.$Properties>|null} [fields] Sample fields
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Sample.
             * @memberof watchpost.v1
             * @interface ISample
             * @augments watchpost.v1.Sample.$Properties
             * @deprecated Use watchpost.v1.Sample.$Properties instead.
             */

            /**
             * Shape of a Sample.
             * @typedef {{
             *   measurement?: string|null;
             *   timeMs?: number|null;
             *   tags?: Array.<watchpost.v1.Tag.$Shape>|null;
             *   fields?: Array.<watchpost.v1.Field.$Shape>|null;
             *   $unknowns?: Array.<Uint8Array>;
             * }} watchpost.v1.Sample.$Shape
             */

            /**
             * Constructs a new Sample.
             * @memberof watchpost.v1
             * @classdesc Represents a Sample.
             * @constructor
             * @param {watchpost.v1.Sample.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Sample = function (properties) {
                this.tags = [];
                this.fields = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Sample measurement.
             * @member {string} measurement
             * @memberof watchpost.v1.Sample
             * @instance
             */
            Sample.prototype.measurement = "";

            /**
             * Sample timeMs.
             * @member {number} timeMs
             * @memberof watchpost.v1.Sample
             * @instance
             */
            Sample.prototype.timeMs = 0;

            /**
             * Sample tags.
             * @member {Array.<watchpost.v1.Tag.$Properties>} tags
             * @memberof watchpost.v1.Sample
             * @instance
             */
            Sample.prototype.tags = $util.emptyArray;

            /**
             * Sample fields.
             * @member {Array.<watchpost.v1.Field.$Properties>} fields
             * @memberof watchpost.v1.Sample
             * @instance
             */
            Sample.prototype.fields = $util.emptyArray;

            /**
             * Encodes the specified Sample message. Does not implicitly {@link watchpost.v1.Sample.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.Sample
             * @static
             * @param {watchpost.v1.Sample.$Properties} message Sample message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Sample.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.measurement != null && $Object.hasOwnProperty.call(message, "measurement") && message.measurement !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.measurement);
                if (message.timeMs != null && $Object.hasOwnProperty.call(message, "timeMs") && !$Object.is(message.timeMs, 0))
                    writer.uint32(/* id 2, wireType 1 =*/17).double(message.timeMs);
                if (message.tags != null && message.tags.length)
                    for (let i = 0; i < message.tags.length; ++i)
                        $root.watchpost.v1.Tag.encode(message.tags[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                if (message.fields != null && message.fields.length)
                    for (let i = 0; i < message.fields.length; ++i)
                        $root.watchpost.v1.Field.encode(message.fields[i], writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Sample message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.Sample
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.Sample & watchpost.v1.Sample.$Shape} Sample
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Sample.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.Sample();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.measurement = value;
                            else
                                delete message.measurement;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 1)
                                break;
                            if (!$Object.is(value = reader.double(), 0))
                                message.timeMs = value;
                            else
                                delete message.timeMs;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if (!(message.tags && message.tags.length))
                                message.tags = [];
                            message.tags.push($root.watchpost.v1.Tag.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if (!(message.fields && message.fields.length))
                                message.fields = [];
                            message.fields.push($root.watchpost.v1.Field.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Sample
             * @function getTypeUrl
             * @memberof watchpost.v1.Sample
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Sample.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.Sample";
            };

            return Sample;
        })();

        v1.Tag = (function() {

            /**
             * Properties of a Tag.
             * @typedef {Object} watchpost.v1.Tag.$Properties
             * @property {string|null} [key] Tag key
             * @property {string|null} [value] Tag value
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Tag.
             * @memberof watchpost.v1
             * @interface ITag
             * @augments watchpost.v1.Tag.$Properties
             * @deprecated Use watchpost.v1.Tag.$Properties instead.
             */

            /**
             * Shape of a Tag.
             * @typedef {watchpost.v1.Tag.$Properties} watchpost.v1.Tag.$Shape
             */

            /**
             * Constructs a new Tag.
             * @memberof watchpost.v1
             * @classdesc Represents a Tag.
             * @constructor
             * @param {watchpost.v1.Tag.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Tag = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Tag key.
             * @member {string} key
             * @memberof watchpost.v1.Tag
             * @instance
             */
            Tag.prototype.key = "";

            /**
             * Tag value.
             * @member {string} value
             * @memberof watchpost.v1.Tag
             * @instance
             */
            Tag.prototype.value = "";

            /**
             * Encodes the specified Tag message. Does not implicitly {@link watchpost.v1.Tag.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.Tag
             * @static
             * @param {watchpost.v1.Tag.$Properties} message Tag message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Tag.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.key != null && $Object.hasOwnProperty.call(message, "key") && message.key !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.key);
                if (message.value != null && $Object.hasOwnProperty.call(message, "value") && message.value !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.value);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Tag message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.Tag
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.Tag & watchpost.v1.Tag.$Shape} Tag
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Tag.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.Tag();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.key = value;
                            else
                                delete message.key;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.value = value;
                            else
                                delete message.value;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Tag
             * @function getTypeUrl
             * @memberof watchpost.v1.Tag
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Tag.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.Tag";
            };

            return Tag;
        })();

        v1.Field = (function() {

            /**
             * Properties of a Field.
             * @typedef {Object} watchpost.v1.Field.$Properties
             * @property {string|null} [key] Field key
             * @property {number|null} [float] Field float
             * @property {number|null} [int] Field int
             * @property {string|null} [str] Field str
             * @property {boolean|null} [bool] Field bool
             * @property {"float"|"int"|"str"|"bool"} [value] Field value
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Field.
             * @memberof watchpost.v1
             * @interface IField
             * @augments watchpost.v1.Field.$Properties
             * @deprecated Use watchpost.v1.Field.$Properties instead.
             */

            /**
             * Narrowed shape of a Field.
             * @typedef {{
             *   key?: string|null;
             *   float?: number|null;
             *   int?: number|null;
             *   str?: string|null;
             *   bool?: boolean|null;
             *   $unknowns?: Array.<Uint8Array>;
             * } & (
             *   ({ value?: undefined; float?: null; int?: null; str?: null; bool?: null }|{ value?: "float"; float: number; int?: null; str?: null; bool?: null }|{ value?: "int"; float?: null; int: number; str?: null; bool?: null }|{ value?: "str"; float?: null; int?: null; str: string; bool?: null }|{ value?: "bool"; float?: null; int?: null; str?: null; bool: boolean })
             * )} watchpost.v1.Field.$Shape
             */

            /**
             * Constructs a new Field.
             * @memberof watchpost.v1
             * @classdesc Represents a Field.
             * @constructor
             * @param {watchpost.v1.Field.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Field = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Field key.
             * @member {string} key
             * @memberof watchpost.v1.Field
             * @instance
             */
            Field.prototype.key = "";

            /**
             * Field float.
             * @member {number|null|undefined} float
             * @memberof watchpost.v1.Field
             * @instance
             */
            Field.prototype.float = null;

            /**
             * Field int.
             * @member {number|null|undefined} int
             * @memberof watchpost.v1.Field
             * @instance
             */
            Field.prototype.int = null;

            /**
             * Field str.
             * @member {string|null|undefined} str
             * @memberof watchpost.v1.Field
             * @instance
             */
            Field.prototype.str = null;

            /**
             * Field bool.
             * @member {boolean|null|undefined} bool
             * @memberof watchpost.v1.Field
             * @instance
             */
            Field.prototype.bool = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            /**
             * Field value.
             * @member {"float"|"int"|"str"|"bool"|undefined} value
             * @memberof watchpost.v1.Field
             * @instance
             */
            $Object.defineProperty(Field.prototype, "value", {
                get: $util.oneOfGetter($oneOfFields = ["float", "int", "str", "bool"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Encodes the specified Field message. Does not implicitly {@link watchpost.v1.Field.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.Field
             * @static
             * @param {watchpost.v1.Field.$Properties} message Field message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Field.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.key != null && $Object.hasOwnProperty.call(message, "key") && message.key !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.key);
                if (message.float != null && $Object.hasOwnProperty.call(message, "float"))
                    writer.uint32(/* id 2, wireType 1 =*/17).double(message.float);
                if (message.int != null && $Object.hasOwnProperty.call(message, "int"))
                    writer.uint32(/* id 3, wireType 1 =*/25).double(message.int);
                if (message.str != null && $Object.hasOwnProperty.call(message, "str"))
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.str);
                if (message.bool != null && $Object.hasOwnProperty.call(message, "bool"))
                    writer.uint32(/* id 5, wireType 0 =*/40).bool(message.bool);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Field message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.Field
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.Field & watchpost.v1.Field.$Shape} Field
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Field.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.Field();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.key = value;
                            else
                                delete message.key;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 1)
                                break;
                            message.float = reader.double();
                            message.value = "float";
                            continue;
                        }
                    case 3: {
                            if (wireType !== 1)
                                break;
                            message.int = reader.double();
                            message.value = "int";
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            message.str = reader.stringVerify();
                            message.value = "str";
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            message.bool = reader.bool();
                            message.value = "bool";
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Field
             * @function getTypeUrl
             * @memberof watchpost.v1.Field
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Field.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.Field";
            };

            return Field;
        })();

        v1.Ack = (function() {

            /**
             * Properties of an Ack.
             * @typedef {Object} watchpost.v1.Ack.$Properties
             * @property {number|null} [seq] Ack seq
             * @property {number|null} [rejected] Ack rejected
             * @property {string|null} [reason] Ack reason
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an Ack.
             * @memberof watchpost.v1
             * @interface IAck
             * @augments watchpost.v1.Ack.$Properties
             * @deprecated Use watchpost.v1.Ack.$Properties instead.
             */

            /**
             * Shape of an Ack.
             * @typedef {watchpost.v1.Ack.$Properties} watchpost.v1.Ack.$Shape
             */

            /**
             * Constructs a new Ack.
             * @memberof watchpost.v1
             * @classdesc Represents an Ack.
             * @constructor
             * @param {watchpost.v1.Ack.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Ack = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Ack seq.
             * @member {number} seq
             * @memberof watchpost.v1.Ack
             * @instance
             */
            Ack.prototype.seq = 0;

            /**
             * Ack rejected.
             * @member {number} rejected
             * @memberof watchpost.v1.Ack
             * @instance
             */
            Ack.prototype.rejected = 0;

            /**
             * Ack reason.
             * @member {string} reason
             * @memberof watchpost.v1.Ack
             * @instance
             */
            Ack.prototype.reason = "";

            /**
             * Encodes the specified Ack message. Does not implicitly {@link watchpost.v1.Ack.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.Ack
             * @static
             * @param {watchpost.v1.Ack.$Properties} message Ack message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Ack.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.seq != null && $Object.hasOwnProperty.call(message, "seq") && message.seq !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.seq);
                if (message.rejected != null && $Object.hasOwnProperty.call(message, "rejected") && message.rejected !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.rejected);
                if (message.reason != null && $Object.hasOwnProperty.call(message, "reason") && message.reason !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.reason);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an Ack message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.Ack
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.Ack & watchpost.v1.Ack.$Shape} Ack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Ack.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.Ack();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.seq = value;
                            else
                                delete message.seq;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.rejected = value;
                            else
                                delete message.rejected;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.reason = value;
                            else
                                delete message.reason;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Ack
             * @function getTypeUrl
             * @memberof watchpost.v1.Ack
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Ack.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.Ack";
            };

            return Ack;
        })();

        v1.Error = (function() {

            /**
             * Properties of an Error.
             * @typedef {Object} watchpost.v1.Error.$Properties
             * @property {watchpost.v1.ErrorCode|null} [code] Error code
             * @property {string|null} [message] Error message
             * @property {number|null} [seq] Error seq
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an Error.
             * @memberof watchpost.v1
             * @interface IError
             * @augments watchpost.v1.Error.$Properties
             * @deprecated Use watchpost.v1.Error.$Properties instead.
             */

            /**
             * Shape of an Error.
             * @typedef {watchpost.v1.Error.$Properties} watchpost.v1.Error.$Shape
             */

            /**
             * Constructs a new Error.
             * @memberof watchpost.v1
             * @classdesc Represents an Error.
             * @constructor
             * @param {watchpost.v1.Error.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Error = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Error code.
             * @member {watchpost.v1.ErrorCode} code
             * @memberof watchpost.v1.Error
             * @instance
             */
            Error.prototype.code = 0;

            /**
             * Error message.
             * @member {string} message
             * @memberof watchpost.v1.Error
             * @instance
             */
            Error.prototype.message = "";

            /**
             * Error seq.
             * @member {number} seq
             * @memberof watchpost.v1.Error
             * @instance
             */
            Error.prototype.seq = 0;

            /**
             * Encodes the specified Error message. Does not implicitly {@link watchpost.v1.Error.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.Error
             * @static
             * @param {watchpost.v1.Error.$Properties} message Error message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Error.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.code != null && $Object.hasOwnProperty.call(message, "code") && message.code !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.code);
                if (message.message != null && $Object.hasOwnProperty.call(message, "message") && message.message !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.message);
                if (message.seq != null && $Object.hasOwnProperty.call(message, "seq") && message.seq !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.seq);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an Error message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.Error
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.Error & watchpost.v1.Error.$Shape} Error
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Error.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.Error();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.code = value;
                            else
                                delete message.code;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.message = value;
                            else
                                delete message.message;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.seq = value;
                            else
                                delete message.seq;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Error
             * @function getTypeUrl
             * @memberof watchpost.v1.Error
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Error.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.Error";
            };

            return Error;
        })();

        /**
         * ErrorCode enum.
         * @name watchpost.v1.ErrorCode
         * @enum {number}
         * @property {number} ERROR_CODE_UNSPECIFIED=0 ERROR_CODE_UNSPECIFIED value
         * @property {number} ERROR_CODE_BAD_FRAME=1 ERROR_CODE_BAD_FRAME value
         * @property {number} ERROR_CODE_UNSUPPORTED_VERSION=2 ERROR_CODE_UNSUPPORTED_VERSION value
         * @property {number} ERROR_CODE_UNAUTHORIZED=3 ERROR_CODE_UNAUTHORIZED value
         * @property {number} ERROR_CODE_RATE_LIMITED=4 ERROR_CODE_RATE_LIMITED value
         * @property {number} ERROR_CODE_UNAVAILABLE=5 ERROR_CODE_UNAVAILABLE value
         * @property {number} ERROR_CODE_BAD_BATCH=6 ERROR_CODE_BAD_BATCH value
         */
        v1.ErrorCode = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "ERROR_CODE_UNSPECIFIED"] = 0;
            values[valuesById[1] = "ERROR_CODE_BAD_FRAME"] = 1;
            values[valuesById[2] = "ERROR_CODE_UNSUPPORTED_VERSION"] = 2;
            values[valuesById[3] = "ERROR_CODE_UNAUTHORIZED"] = 3;
            values[valuesById[4] = "ERROR_CODE_RATE_LIMITED"] = 4;
            values[valuesById[5] = "ERROR_CODE_UNAVAILABLE"] = 5;
            values[valuesById[6] = "ERROR_CODE_BAD_BATCH"] = 6;
            return values;
        })();

        v1.Policy = (function() {

            /**
             * Properties of a Policy.
             * @typedef {Object} watchpost.v1.Policy.$Properties
             * @property {Array.<watchpost.v1.ProbePolicy.$Properties>|null} [probes] Policy probes
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Policy.
             * @memberof watchpost.v1
             * @interface IPolicy
             * @augments watchpost.v1.Policy.$Properties
             * @deprecated Use watchpost.v1.Policy.$Properties instead.
             */

            /**
             * Shape of a Policy.
             * @typedef {watchpost.v1.Policy.$Properties} watchpost.v1.Policy.$Shape
             */

            /**
             * Constructs a new Policy.
             * @memberof watchpost.v1
             * @classdesc Represents a Policy.
             * @constructor
             * @param {watchpost.v1.Policy.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Policy = function (properties) {
                this.probes = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Policy probes.
             * @member {Array.<watchpost.v1.ProbePolicy.$Properties>} probes
             * @memberof watchpost.v1.Policy
             * @instance
             */
            Policy.prototype.probes = $util.emptyArray;

            /**
             * Encodes the specified Policy message. Does not implicitly {@link watchpost.v1.Policy.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.Policy
             * @static
             * @param {watchpost.v1.Policy.$Properties} message Policy message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Policy.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.probes != null && message.probes.length)
                    for (let i = 0; i < message.probes.length; ++i)
                        $root.watchpost.v1.ProbePolicy.encode(message.probes[i], writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Policy message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.Policy
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.Policy & watchpost.v1.Policy.$Shape} Policy
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Policy.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.Policy();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if (!(message.probes && message.probes.length))
                                message.probes = [];
                            message.probes.push($root.watchpost.v1.ProbePolicy.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Policy
             * @function getTypeUrl
             * @memberof watchpost.v1.Policy
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Policy.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.Policy";
            };

            return Policy;
        })();

        v1.ProbePolicy = (function() {

            /**
             * Properties of a ProbePolicy.
             * @typedef {Object} watchpost.v1.ProbePolicy.$Properties
             * @property {string|null} [name] ProbePolicy name
             * @property {string|null} [schedule] ProbePolicy schedule
             * @property {boolean|null} [disabled] ProbePolicy disabled
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a ProbePolicy.
             * @memberof watchpost.v1
             * @interface IProbePolicy
             * @augments watchpost.v1.ProbePolicy.$Properties
             * @deprecated Use watchpost.v1.ProbePolicy.$Properties instead.
             */

            /**
             * Shape of a ProbePolicy.
             * @typedef {watchpost.v1.ProbePolicy.$Properties} watchpost.v1.ProbePolicy.$Shape
             */

            /**
             * Constructs a new ProbePolicy.
             * @memberof watchpost.v1
             * @classdesc Represents a ProbePolicy.
             * @constructor
             * @param {watchpost.v1.ProbePolicy.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const ProbePolicy = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * ProbePolicy name.
             * @member {string} name
             * @memberof watchpost.v1.ProbePolicy
             * @instance
             */
            ProbePolicy.prototype.name = "";

            /**
             * ProbePolicy schedule.
             * @member {string} schedule
             * @memberof watchpost.v1.ProbePolicy
             * @instance
             */
            ProbePolicy.prototype.schedule = "";

            /**
             * ProbePolicy disabled.
             * @member {boolean} disabled
             * @memberof watchpost.v1.ProbePolicy
             * @instance
             */
            ProbePolicy.prototype.disabled = false;

            /**
             * Encodes the specified ProbePolicy message. Does not implicitly {@link watchpost.v1.ProbePolicy.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.ProbePolicy
             * @static
             * @param {watchpost.v1.ProbePolicy.$Properties} message ProbePolicy message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ProbePolicy.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.name != null && $Object.hasOwnProperty.call(message, "name") && message.name !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.name);
                if (message.schedule != null && $Object.hasOwnProperty.call(message, "schedule") && message.schedule !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.schedule);
                if (message.disabled != null && $Object.hasOwnProperty.call(message, "disabled") && message.disabled !== false)
                    writer.uint32(/* id 3, wireType 0 =*/24).bool(message.disabled);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a ProbePolicy message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.ProbePolicy
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.ProbePolicy & watchpost.v1.ProbePolicy.$Shape} ProbePolicy
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ProbePolicy.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.ProbePolicy();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.name = value;
                            else
                                delete message.name;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.schedule = value;
                            else
                                delete message.schedule;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.disabled = value;
                            else
                                delete message.disabled;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for ProbePolicy
             * @function getTypeUrl
             * @memberof watchpost.v1.ProbePolicy
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            ProbePolicy.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.ProbePolicy";
            };

            return ProbePolicy;
        })();

        v1.Heartbeat = (function() {

            /**
             * Properties of a Heartbeat.
             * @typedef {Object} watchpost.v1.Heartbeat.$Properties
             * @property {number|null} [timeMs] Heartbeat timeMs
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Heartbeat.
             * @memberof watchpost.v1
             * @interface IHeartbeat
             * @augments watchpost.v1.Heartbeat.$Properties
             * @deprecated Use watchpost.v1.Heartbeat.$Properties instead.
             */

            /**
             * Shape of a Heartbeat.
             * @typedef {watchpost.v1.Heartbeat.$Properties} watchpost.v1.Heartbeat.$Shape
             */

            /**
             * Constructs a new Heartbeat.
             * @memberof watchpost.v1
             * @classdesc Represents a Heartbeat.
             * @constructor
             * @param {watchpost.v1.Heartbeat.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Heartbeat = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Heartbeat timeMs.
             * @member {number} timeMs
             * @memberof watchpost.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.timeMs = 0;

            /**
             * Encodes the specified Heartbeat message. Does not implicitly {@link watchpost.v1.Heartbeat.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.Heartbeat
             * @static
             * @param {watchpost.v1.Heartbeat.$Properties} message Heartbeat message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Heartbeat.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.timeMs != null && $Object.hasOwnProperty.call(message, "timeMs") && !$Object.is(message.timeMs, 0))
                    writer.uint32(/* id 1, wireType 1 =*/9).double(message.timeMs);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Heartbeat message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.Heartbeat
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.Heartbeat & watchpost.v1.Heartbeat.$Shape} Heartbeat
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Heartbeat.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.Heartbeat();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 1)
                                break;
                            if (!$Object.is(value = reader.double(), 0))
                                message.timeMs = value;
                            else
                                delete message.timeMs;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Heartbeat
             * @function getTypeUrl
             * @memberof watchpost.v1.Heartbeat
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Heartbeat.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.Heartbeat";
            };

            return Heartbeat;
        })();

        v1.UpdateOffer = (function() {

            /**
             * Properties of an UpdateOffer.
             * @typedef {Object} watchpost.v1.UpdateOffer.$Properties
             * @property {string|null} [version] UpdateOffer version
             * @property {string|null} [target] UpdateOffer target
             * @property {string|null} [url] UpdateOffer url
             * @property {string|null} [sha256] UpdateOffer sha256
             * @property {Uint8Array|null} [signature] UpdateOffer signature
             * @property {number|null} [rollbackSeconds] UpdateOffer rollbackSeconds
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an UpdateOffer.
             * @memberof watchpost.v1
             * @interface IUpdateOffer
             * @augments watchpost.v1.UpdateOffer.$Properties
             * @deprecated Use watchpost.v1.UpdateOffer.$Properties instead.
             */

            /**
             * Shape of an UpdateOffer.
             * @typedef {watchpost.v1.UpdateOffer.$Properties} watchpost.v1.UpdateOffer.$Shape
             */

            /**
             * Constructs a new UpdateOffer.
             * @memberof watchpost.v1
             * @classdesc Represents an UpdateOffer.
             * @constructor
             * @param {watchpost.v1.UpdateOffer.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const UpdateOffer = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * UpdateOffer version.
             * @member {string} version
             * @memberof watchpost.v1.UpdateOffer
             * @instance
             */
            UpdateOffer.prototype.version = "";

            /**
             * UpdateOffer target.
             * @member {string} target
             * @memberof watchpost.v1.UpdateOffer
             * @instance
             */
            UpdateOffer.prototype.target = "";

            /**
             * UpdateOffer url.
             * @member {string} url
             * @memberof watchpost.v1.UpdateOffer
             * @instance
             */
            UpdateOffer.prototype.url = "";

            /**
             * UpdateOffer sha256.
             * @member {string} sha256
             * @memberof watchpost.v1.UpdateOffer
             * @instance
             */
            UpdateOffer.prototype.sha256 = "";

            /**
             * UpdateOffer signature.
             * @member {Uint8Array} signature
             * @memberof watchpost.v1.UpdateOffer
             * @instance
             */
            UpdateOffer.prototype.signature = $util.newBuffer([]);

            /**
             * UpdateOffer rollbackSeconds.
             * @member {number} rollbackSeconds
             * @memberof watchpost.v1.UpdateOffer
             * @instance
             */
            UpdateOffer.prototype.rollbackSeconds = 0;

            /**
             * Encodes the specified UpdateOffer message. Does not implicitly {@link watchpost.v1.UpdateOffer.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.UpdateOffer
             * @static
             * @param {watchpost.v1.UpdateOffer.$Properties} message UpdateOffer message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            UpdateOffer.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.version != null && $Object.hasOwnProperty.call(message, "version") && message.version !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.version);
                if (message.target != null && $Object.hasOwnProperty.call(message, "target") && message.target !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.target);
                if (message.url != null && $Object.hasOwnProperty.call(message, "url") && message.url !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.url);
                if (message.sha256 != null && $Object.hasOwnProperty.call(message, "sha256") && message.sha256 !== "")
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.sha256);
                if (message.signature != null && $Object.hasOwnProperty.call(message, "signature") && message.signature.length)
                    writer.uint32(/* id 5, wireType 2 =*/42).bytes(message.signature);
                if (message.rollbackSeconds != null && $Object.hasOwnProperty.call(message, "rollbackSeconds") && message.rollbackSeconds !== 0)
                    writer.uint32(/* id 6, wireType 0 =*/48).uint32(message.rollbackSeconds);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an UpdateOffer message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.UpdateOffer
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.UpdateOffer & watchpost.v1.UpdateOffer.$Shape} UpdateOffer
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            UpdateOffer.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.UpdateOffer();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.version = value;
                            else
                                delete message.version;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.target = value;
                            else
                                delete message.target;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.url = value;
                            else
                                delete message.url;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.sha256 = value;
                            else
                                delete message.sha256;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.signature = value;
                            else
                                delete message.signature;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.rollbackSeconds = value;
                            else
                                delete message.rollbackSeconds;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for UpdateOffer
             * @function getTypeUrl
             * @memberof watchpost.v1.UpdateOffer
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            UpdateOffer.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.UpdateOffer";
            };

            return UpdateOffer;
        })();

        v1.PatchPlan = (function() {

            /**
             * Properties of a PatchPlan.
             * @typedef {Object} watchpost.v1.PatchPlan.$Properties
             * @property {string|null} [planId] PatchPlan planId
             * @property {number|null} [windowStartMs] PatchPlan windowStartMs
             * @property {number|null} [windowEndMs] PatchPlan windowEndMs
             * @property {watchpost.v1.PatchReboot.$Properties|null} [reboot] PatchPlan reboot
             * @property {Array.<watchpost.v1.PatchPlanItem.$Properties>|null} [items] PatchPlan items
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a PatchPlan.
             * @memberof watchpost.v1
             * @interface IPatchPlan
             * @augments watchpost.v1.PatchPlan.$Properties
             * @deprecated Use watchpost.v1.PatchPlan.$Properties instead.
             */

            /**
             * Shape of a PatchPlan.
             * @typedef {watchpost.v1.PatchPlan.$Properties} watchpost.v1.PatchPlan.$Shape
             */

            /**
             * Constructs a new PatchPlan.
             * @memberof watchpost.v1
             * @classdesc Represents a PatchPlan.
             * @constructor
             * @param {watchpost.v1.PatchPlan.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const PatchPlan = function (properties) {
                this.items = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * PatchPlan planId.
             * @member {string} planId
             * @memberof watchpost.v1.PatchPlan
             * @instance
             */
            PatchPlan.prototype.planId = "";

            /**
             * PatchPlan windowStartMs.
             * @member {number} windowStartMs
             * @memberof watchpost.v1.PatchPlan
             * @instance
             */
            PatchPlan.prototype.windowStartMs = 0;

            /**
             * PatchPlan windowEndMs.
             * @member {number} windowEndMs
             * @memberof watchpost.v1.PatchPlan
             * @instance
             */
            PatchPlan.prototype.windowEndMs = 0;

            /**
             * PatchPlan reboot.
             * @member {watchpost.v1.PatchReboot.$Properties|null|undefined} reboot
             * @memberof watchpost.v1.PatchPlan
             * @instance
             */
            PatchPlan.prototype.reboot = null;

            /**
             * PatchPlan items.
             * @member {Array.<watchpost.v1.PatchPlanItem.$Properties>} items
             * @memberof watchpost.v1.PatchPlan
             * @instance
             */
            PatchPlan.prototype.items = $util.emptyArray;

            /**
             * Encodes the specified PatchPlan message. Does not implicitly {@link watchpost.v1.PatchPlan.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.PatchPlan
             * @static
             * @param {watchpost.v1.PatchPlan.$Properties} message PatchPlan message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            PatchPlan.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.planId != null && $Object.hasOwnProperty.call(message, "planId") && message.planId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.planId);
                if (message.windowStartMs != null && $Object.hasOwnProperty.call(message, "windowStartMs") && !$Object.is(message.windowStartMs, 0))
                    writer.uint32(/* id 2, wireType 1 =*/17).double(message.windowStartMs);
                if (message.windowEndMs != null && $Object.hasOwnProperty.call(message, "windowEndMs") && !$Object.is(message.windowEndMs, 0))
                    writer.uint32(/* id 3, wireType 1 =*/25).double(message.windowEndMs);
                if (message.reboot != null && $Object.hasOwnProperty.call(message, "reboot"))
                    $root.watchpost.v1.PatchReboot.encode(message.reboot, writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                if (message.items != null && message.items.length)
                    for (let i = 0; i < message.items.length; ++i)
                        $root.watchpost.v1.PatchPlanItem.encode(message.items[i], writer.uint32(/* id 5, wireType 2 =*/42).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a PatchPlan message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.PatchPlan
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.PatchPlan & watchpost.v1.PatchPlan.$Shape} PatchPlan
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            PatchPlan.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.PatchPlan();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.planId = value;
                            else
                                delete message.planId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 1)
                                break;
                            if (!$Object.is(value = reader.double(), 0))
                                message.windowStartMs = value;
                            else
                                delete message.windowStartMs;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 1)
                                break;
                            if (!$Object.is(value = reader.double(), 0))
                                message.windowEndMs = value;
                            else
                                delete message.windowEndMs;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            message.reboot = $root.watchpost.v1.PatchReboot.decode(reader, reader.size(), $undefined, _depth + 1, message.reboot);
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            if (!(message.items && message.items.length))
                                message.items = [];
                            message.items.push($root.watchpost.v1.PatchPlanItem.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for PatchPlan
             * @function getTypeUrl
             * @memberof watchpost.v1.PatchPlan
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            PatchPlan.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.PatchPlan";
            };

            return PatchPlan;
        })();

        v1.PatchReboot = (function() {

            /**
             * Properties of a PatchReboot.
             * @typedef {Object} watchpost.v1.PatchReboot.$Properties
             * @property {string|null} [mode] PatchReboot mode
             * @property {number|null} [warnMinutes] PatchReboot warnMinutes
             * @property {string|null} [message] PatchReboot message
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a PatchReboot.
             * @memberof watchpost.v1
             * @interface IPatchReboot
             * @augments watchpost.v1.PatchReboot.$Properties
             * @deprecated Use watchpost.v1.PatchReboot.$Properties instead.
             */

            /**
             * Shape of a PatchReboot.
             * @typedef {watchpost.v1.PatchReboot.$Properties} watchpost.v1.PatchReboot.$Shape
             */

            /**
             * Constructs a new PatchReboot.
             * @memberof watchpost.v1
             * @classdesc Represents a PatchReboot.
             * @constructor
             * @param {watchpost.v1.PatchReboot.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const PatchReboot = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * PatchReboot mode.
             * @member {string} mode
             * @memberof watchpost.v1.PatchReboot
             * @instance
             */
            PatchReboot.prototype.mode = "";

            /**
             * PatchReboot warnMinutes.
             * @member {number} warnMinutes
             * @memberof watchpost.v1.PatchReboot
             * @instance
             */
            PatchReboot.prototype.warnMinutes = 0;

            /**
             * PatchReboot message.
             * @member {string} message
             * @memberof watchpost.v1.PatchReboot
             * @instance
             */
            PatchReboot.prototype.message = "";

            /**
             * Encodes the specified PatchReboot message. Does not implicitly {@link watchpost.v1.PatchReboot.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.PatchReboot
             * @static
             * @param {watchpost.v1.PatchReboot.$Properties} message PatchReboot message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            PatchReboot.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.mode != null && $Object.hasOwnProperty.call(message, "mode") && message.mode !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.mode);
                if (message.warnMinutes != null && $Object.hasOwnProperty.call(message, "warnMinutes") && message.warnMinutes !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.warnMinutes);
                if (message.message != null && $Object.hasOwnProperty.call(message, "message") && message.message !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.message);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a PatchReboot message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.PatchReboot
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.PatchReboot & watchpost.v1.PatchReboot.$Shape} PatchReboot
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            PatchReboot.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.PatchReboot();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.mode = value;
                            else
                                delete message.mode;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.warnMinutes = value;
                            else
                                delete message.warnMinutes;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.message = value;
                            else
                                delete message.message;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for PatchReboot
             * @function getTypeUrl
             * @memberof watchpost.v1.PatchReboot
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            PatchReboot.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.PatchReboot";
            };

            return PatchReboot;
        })();

        v1.PatchPlanItem = (function() {

            /**
             * Properties of a PatchPlanItem.
             * @typedef {Object} watchpost.v1.PatchPlanItem.$Properties
             * @property {string|null} [id] PatchPlanItem id
             * @property {string|null} [manager] PatchPlanItem manager
             * @property {string|null} [title] PatchPlanItem title
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a PatchPlanItem.
             * @memberof watchpost.v1
             * @interface IPatchPlanItem
             * @augments watchpost.v1.PatchPlanItem.$Properties
             * @deprecated Use watchpost.v1.PatchPlanItem.$Properties instead.
             */

            /**
             * Shape of a PatchPlanItem.
             * @typedef {watchpost.v1.PatchPlanItem.$Properties} watchpost.v1.PatchPlanItem.$Shape
             */

            /**
             * Constructs a new PatchPlanItem.
             * @memberof watchpost.v1
             * @classdesc Represents a PatchPlanItem.
             * @constructor
             * @param {watchpost.v1.PatchPlanItem.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const PatchPlanItem = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * PatchPlanItem id.
             * @member {string} id
             * @memberof watchpost.v1.PatchPlanItem
             * @instance
             */
            PatchPlanItem.prototype.id = "";

            /**
             * PatchPlanItem manager.
             * @member {string} manager
             * @memberof watchpost.v1.PatchPlanItem
             * @instance
             */
            PatchPlanItem.prototype.manager = "";

            /**
             * PatchPlanItem title.
             * @member {string} title
             * @memberof watchpost.v1.PatchPlanItem
             * @instance
             */
            PatchPlanItem.prototype.title = "";

            /**
             * Encodes the specified PatchPlanItem message. Does not implicitly {@link watchpost.v1.PatchPlanItem.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.PatchPlanItem
             * @static
             * @param {watchpost.v1.PatchPlanItem.$Properties} message PatchPlanItem message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            PatchPlanItem.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.id != null && $Object.hasOwnProperty.call(message, "id") && message.id !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.id);
                if (message.manager != null && $Object.hasOwnProperty.call(message, "manager") && message.manager !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.manager);
                if (message.title != null && $Object.hasOwnProperty.call(message, "title") && message.title !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.title);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a PatchPlanItem message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.PatchPlanItem
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.PatchPlanItem & watchpost.v1.PatchPlanItem.$Shape} PatchPlanItem
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            PatchPlanItem.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.PatchPlanItem();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.id = value;
                            else
                                delete message.id;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.manager = value;
                            else
                                delete message.manager;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.title = value;
                            else
                                delete message.title;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for PatchPlanItem
             * @function getTypeUrl
             * @memberof watchpost.v1.PatchPlanItem
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            PatchPlanItem.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.PatchPlanItem";
            };

            return PatchPlanItem;
        })();

        v1.AvAction = (function() {

            /**
             * Properties of an AvAction.
             * @typedef {Object} watchpost.v1.AvAction.$Properties
             * @property {string|null} [requestId] AvAction requestId
             * @property {string|null} [action] AvAction action
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an AvAction.
             * @memberof watchpost.v1
             * @interface IAvAction
             * @augments watchpost.v1.AvAction.$Properties
             * @deprecated Use watchpost.v1.AvAction.$Properties instead.
             */

            /**
             * Shape of an AvAction.
             * @typedef {watchpost.v1.AvAction.$Properties} watchpost.v1.AvAction.$Shape
             */

            /**
             * Constructs a new AvAction.
             * @memberof watchpost.v1
             * @classdesc Represents an AvAction.
             * @constructor
             * @param {watchpost.v1.AvAction.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const AvAction = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * AvAction requestId.
             * @member {string} requestId
             * @memberof watchpost.v1.AvAction
             * @instance
             */
            AvAction.prototype.requestId = "";

            /**
             * AvAction action.
             * @member {string} action
             * @memberof watchpost.v1.AvAction
             * @instance
             */
            AvAction.prototype.action = "";

            /**
             * Encodes the specified AvAction message. Does not implicitly {@link watchpost.v1.AvAction.verify|verify} messages.
             * @function encode
             * @memberof watchpost.v1.AvAction
             * @static
             * @param {watchpost.v1.AvAction.$Properties} message AvAction message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            AvAction.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.requestId != null && $Object.hasOwnProperty.call(message, "requestId") && message.requestId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.requestId);
                if (message.action != null && $Object.hasOwnProperty.call(message, "action") && message.action !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.action);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an AvAction message from the specified reader or buffer.
             * @function decode
             * @memberof watchpost.v1.AvAction
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {watchpost.v1.AvAction & watchpost.v1.AvAction.$Shape} AvAction
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            AvAction.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.watchpost.v1.AvAction();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.requestId = value;
                            else
                                delete message.requestId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.action = value;
                            else
                                delete message.action;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for AvAction
             * @function getTypeUrl
             * @memberof watchpost.v1.AvAction
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            AvAction.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/watchpost.v1.AvAction";
            };

            return AvAction;
        })();

        return v1;
    })();

    return watchpost;
})();

export {
  $root as default
};
