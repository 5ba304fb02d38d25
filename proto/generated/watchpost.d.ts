import * as $protobuf from "protobufjs";
import Long = require("long");

/** Namespace watchpost. */
export namespace watchpost {

    /** Namespace v1. */
    namespace v1 {

        /**
         * Properties of an Envelope.
         * @deprecated Use watchpost.v1.Envelope.$Properties instead.
         */
        interface IEnvelope extends watchpost.v1.Envelope.$Properties {
        }

        /** Represents an Envelope. */
        class Envelope {

            /**
             * Constructs a new Envelope.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.Envelope.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Envelope hello. */
            hello?: (watchpost.v1.Hello.$Properties|null);

            /** Envelope welcome. */
            welcome?: (watchpost.v1.Welcome.$Properties|null);

            /** Envelope batch. */
            batch?: (watchpost.v1.Batch.$Properties|null);

            /** Envelope ack. */
            ack?: (watchpost.v1.Ack.$Properties|null);

            /** Envelope error. */
            error?: (watchpost.v1.Error.$Properties|null);

            /** Envelope policy. */
            policy?: (watchpost.v1.Policy.$Properties|null);

            /** Envelope heartbeat. */
            heartbeat?: (watchpost.v1.Heartbeat.$Properties|null);

            /** Envelope updateOffer. */
            updateOffer?: (watchpost.v1.UpdateOffer.$Properties|null);

            /** Envelope patchPlan. */
            patchPlan?: (watchpost.v1.PatchPlan.$Properties|null);

            /** Envelope avAction. */
            avAction?: (watchpost.v1.AvAction.$Properties|null);

            /** Envelope msg. */
            msg?: ("hello"|"welcome"|"batch"|"ack"|"error"|"policy"|"heartbeat"|"updateOffer"|"patchPlan"|"avAction");

            /**
             * Encodes the specified Envelope message. Does not implicitly {@link watchpost.v1.Envelope.verify|verify} messages.
             * @param message Envelope message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.Envelope.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Envelope message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.Envelope & watchpost.v1.Envelope.$Shape} Envelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.Envelope & watchpost.v1.Envelope.$Shape;

            /**
             * Gets the type url for Envelope
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Envelope {

            /** Properties of an Envelope. */
            interface $Properties {

                /** Envelope hello */
                hello?: (watchpost.v1.Hello.$Properties|null);

                /** Envelope welcome */
                welcome?: (watchpost.v1.Welcome.$Properties|null);

                /** Envelope batch */
                batch?: (watchpost.v1.Batch.$Properties|null);

                /** Envelope ack */
                ack?: (watchpost.v1.Ack.$Properties|null);

                /** Envelope error */
                error?: (watchpost.v1.Error.$Properties|null);

                /** Envelope policy */
                policy?: (watchpost.v1.Policy.$Properties|null);

                /** Envelope heartbeat */
                heartbeat?: (watchpost.v1.Heartbeat.$Properties|null);

                /** Envelope updateOffer */
                updateOffer?: (watchpost.v1.UpdateOffer.$Properties|null);

                /** Envelope patchPlan */
                patchPlan?: (watchpost.v1.PatchPlan.$Properties|null);

                /** Envelope avAction */
                avAction?: (watchpost.v1.AvAction.$Properties|null);

                /** Envelope msg */
                msg?: ("hello"|"welcome"|"batch"|"ack"|"error"|"policy"|"heartbeat"|"updateOffer"|"patchPlan"|"avAction");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of an Envelope. */
            type $Shape = {
              hello?: watchpost.v1.Hello.$Shape|null;
              welcome?: watchpost.v1.Welcome.$Shape|null;
              batch?: watchpost.v1.Batch.$Shape|null;
              ack?: watchpost.v1.Ack.$Shape|null;
              error?: watchpost.v1.Error.$Shape|null;
              policy?: watchpost.v1.Policy.$Shape|null;
              heartbeat?: watchpost.v1.Heartbeat.$Shape|null;
              updateOffer?: watchpost.v1.UpdateOffer.$Shape|null;
              patchPlan?: watchpost.v1.PatchPlan.$Shape|null;
              avAction?: watchpost.v1.AvAction.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ msg?: undefined; hello?: null; welcome?: null; batch?: null; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "hello"; hello: watchpost.v1.Hello.$Shape; welcome?: null; batch?: null; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "welcome"; hello?: null; welcome: watchpost.v1.Welcome.$Shape; batch?: null; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "batch"; hello?: null; welcome?: null; batch: watchpost.v1.Batch.$Shape; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "ack"; hello?: null; welcome?: null; batch?: null; ack: watchpost.v1.Ack.$Shape; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "error"; hello?: null; welcome?: null; batch?: null; ack?: null; error: watchpost.v1.Error.$Shape; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "policy"; hello?: null; welcome?: null; batch?: null; ack?: null; error?: null; policy: watchpost.v1.Policy.$Shape; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "heartbeat"; hello?: null; welcome?: null; batch?: null; ack?: null; error?: null; policy?: null; heartbeat: watchpost.v1.Heartbeat.$Shape; updateOffer?: null; patchPlan?: null; avAction?: null }|{ msg?: "updateOffer"; hello?: null; welcome?: null; batch?: null; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer: watchpost.v1.UpdateOffer.$Shape; patchPlan?: null; avAction?: null }|{ msg?: "patchPlan"; hello?: null; welcome?: null; batch?: null; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan: watchpost.v1.PatchPlan.$Shape; avAction?: null }|{ msg?: "avAction"; hello?: null; welcome?: null; batch?: null; ack?: null; error?: null; policy?: null; heartbeat?: null; updateOffer?: null; patchPlan?: null; avAction: watchpost.v1.AvAction.$Shape })
            );
        }

        /**
         * Properties of a Hello.
         * @deprecated Use watchpost.v1.Hello.$Properties instead.
         */
        interface IHello extends watchpost.v1.Hello.$Properties {
        }

        /** Represents a Hello. */
        class Hello {

            /**
             * Constructs a new Hello.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.Hello.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Hello protocolVersion. */
            protocolVersion: number;

            /** Hello agentVersion. */
            agentVersion: string;

            /** Hello hostname. */
            hostname: string;

            /** Hello os. */
            os: string;

            /** Hello arch. */
            arch: string;

            /** Hello nextSeq. */
            nextSeq: number;

            /** Hello features. */
            features: string[];

            /**
             * Encodes the specified Hello message. Does not implicitly {@link watchpost.v1.Hello.verify|verify} messages.
             * @param message Hello message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.Hello.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Hello message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.Hello & watchpost.v1.Hello.$Shape} Hello
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.Hello & watchpost.v1.Hello.$Shape;

            /**
             * Gets the type url for Hello
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Hello {

            /** Properties of a Hello. */
            interface $Properties {

                /** Hello protocolVersion */
                protocolVersion?: (number|null);

                /** Hello agentVersion */
                agentVersion?: (string|null);

                /** Hello hostname */
                hostname?: (string|null);

                /** Hello os */
                os?: (string|null);

                /** Hello arch */
                arch?: (string|null);

                /** Hello nextSeq */
                nextSeq?: (number|null);

                /** Hello features */
                features?: (string[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Hello. */
            type $Shape = watchpost.v1.Hello.$Properties;
        }

        /**
         * Properties of a Welcome.
         * @deprecated Use watchpost.v1.Welcome.$Properties instead.
         */
        interface IWelcome extends watchpost.v1.Welcome.$Properties {
        }

        /** Represents a Welcome. */
        class Welcome {

            /**
             * Constructs a new Welcome.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.Welcome.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Welcome agentId. */
            agentId: string;

            /** Welcome tenant. */
            tenant: string;

            /** Welcome lastAckedSeq. */
            lastAckedSeq: number;

            /** Welcome policy. */
            policy?: (watchpost.v1.Policy.$Properties|null);

            /** Welcome heartbeatSeconds. */
            heartbeatSeconds: number;

            /**
             * Encodes the specified Welcome message. Does not implicitly {@link watchpost.v1.Welcome.verify|verify} messages.
             * @param message Welcome message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.Welcome.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Welcome message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.Welcome & watchpost.v1.Welcome.$Shape} Welcome
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.Welcome & watchpost.v1.Welcome.$Shape;

            /**
             * Gets the type url for Welcome
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Welcome {

            /** Properties of a Welcome. */
            interface $Properties {

                /** Welcome agentId */
                agentId?: (string|null);

                /** Welcome tenant */
                tenant?: (string|null);

                /** Welcome lastAckedSeq */
                lastAckedSeq?: (number|null);

                /** Welcome policy */
                policy?: (watchpost.v1.Policy.$Properties|null);

                /** Welcome heartbeatSeconds */
                heartbeatSeconds?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Welcome. */
            type $Shape = watchpost.v1.Welcome.$Properties;
        }

        /**
         * Properties of a Batch.
         * @deprecated Use watchpost.v1.Batch.$Properties instead.
         */
        interface IBatch extends watchpost.v1.Batch.$Properties {
        }

        /** Represents a Batch. */
        class Batch {

            /**
             * Constructs a new Batch.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.Batch.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Batch seq. */
            seq: number;

            /** Batch samples. */
            samples: watchpost.v1.Sample.$Properties[];

            /**
             * Encodes the specified Batch message. Does not implicitly {@link watchpost.v1.Batch.verify|verify} messages.
             * @param message Batch message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.Batch.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Batch message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.Batch & watchpost.v1.Batch.$Shape} Batch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.Batch & watchpost.v1.Batch.$Shape;

            /**
             * Gets the type url for Batch
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Batch {

            /** Properties of a Batch. */
            interface $Properties {

                /** Batch seq */
                seq?: (number|null);

                /** Batch samples */
                samples?: (watchpost.v1.Sample.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Batch. */
            type $Shape = {
              seq?: number|null;
              samples?: watchpost.v1.Sample.$Shape[]|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a Sample.
         * @deprecated Use watchpost.v1.Sample.$Properties instead.
         */
        interface ISample extends watchpost.v1.Sample.$Properties {
        }

        /** Represents a Sample. */
        class Sample {

            /**
             * Constructs a new Sample.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.Sample.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Sample measurement. */
            measurement: string;

            /** Sample timeMs. */
            timeMs: number;

            /** Sample tags. */
            tags: watchpost.v1.Tag.$Properties[];

            /** Sample fields. */
            fields: watchpost.v1.Field.$Properties[];

            /**
             * Encodes the specified Sample message. Does not implicitly {@link watchpost.v1.Sample.verify|verify} messages.
             * @param message Sample message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.Sample.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Sample message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.Sample & watchpost.v1.Sample.$Shape} Sample
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.Sample & watchpost.v1.Sample.$Shape;

            /**
             * Gets the type url for Sample
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Sample {

            /** Properties of a Sample. */
            interface $Properties {

                /** Sample measurement */
                measurement?: (string|null);

                /** Sample timeMs */
                timeMs?: (number|null);

                /** Sample tags */
                tags?: (watchpost.v1.Tag.$Properties[]|null);

                /** Sample fields */
                fields?: (watchpost.v1.Field.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Sample. */
            type $Shape = {
              measurement?: string|null;
              timeMs?: number|null;
              tags?: watchpost.v1.Tag.$Shape[]|null;
              fields?: watchpost.v1.Field.$Shape[]|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a Tag.
         * @deprecated Use watchpost.v1.Tag.$Properties instead.
         */
        interface ITag extends watchpost.v1.Tag.$Properties {
        }

        /** Represents a Tag. */
        class Tag {

            /**
             * Constructs a new Tag.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.Tag.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Tag key. */
            key: string;

            /** Tag value. */
            value: string;

            /**
             * Encodes the specified Tag message. Does not implicitly {@link watchpost.v1.Tag.verify|verify} messages.
             * @param message Tag message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.Tag.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Tag message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.Tag & watchpost.v1.Tag.$Shape} Tag
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.Tag & watchpost.v1.Tag.$Shape;

            /**
             * Gets the type url for Tag
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Tag {

            /** Properties of a Tag. */
            interface $Properties {

                /** Tag key */
                key?: (string|null);

                /** Tag value */
                value?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Tag. */
            type $Shape = watchpost.v1.Tag.$Properties;
        }

        /**
         * Properties of a Field.
         * @deprecated Use watchpost.v1.Field.$Properties instead.
         */
        interface IField extends watchpost.v1.Field.$Properties {
        }

        /** Represents a Field. */
        class Field {

            /**
             * Constructs a new Field.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.Field.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Field key. */
            key: string;

            /** Field float. */
            float?: (number|null);

            /** Field int. */
            int?: (number|null);

            /** Field str. */
            str?: (string|null);

            /** Field bool. */
            bool?: (boolean|null);

            /** Field value. */
            value?: ("float"|"int"|"str"|"bool");

            /**
             * Encodes the specified Field message. Does not implicitly {@link watchpost.v1.Field.verify|verify} messages.
             * @param message Field message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.Field.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Field message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.Field & watchpost.v1.Field.$Shape} Field
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.Field & watchpost.v1.Field.$Shape;

            /**
             * Gets the type url for Field
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Field {

            /** Properties of a Field. */
            interface $Properties {

                /** Field key */
                key?: (string|null);

                /** Field float */
                float?: (number|null);

                /** Field int */
                int?: (number|null);

                /** Field str */
                str?: (string|null);

                /** Field bool */
                bool?: (boolean|null);

                /** Field value */
                value?: ("float"|"int"|"str"|"bool");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a Field. */
            type $Shape = {
              key?: string|null;
              float?: number|null;
              int?: number|null;
              str?: string|null;
              bool?: boolean|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ value?: undefined; float?: null; int?: null; str?: null; bool?: null }|{ value?: "float"; float: number; int?: null; str?: null; bool?: null }|{ value?: "int"; float?: null; int: number; str?: null; bool?: null }|{ value?: "str"; float?: null; int?: null; str: string; bool?: null }|{ value?: "bool"; float?: null; int?: null; str?: null; bool: boolean })
            );
        }

        /**
         * Properties of an Ack.
         * @deprecated Use watchpost.v1.Ack.$Properties instead.
         */
        interface IAck extends watchpost.v1.Ack.$Properties {
        }

        /** Represents an Ack. */
        class Ack {

            /**
             * Constructs a new Ack.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.Ack.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Ack seq. */
            seq: number;

            /** Ack rejected. */
            rejected: number;

            /** Ack reason. */
            reason: string;

            /**
             * Encodes the specified Ack message. Does not implicitly {@link watchpost.v1.Ack.verify|verify} messages.
             * @param message Ack message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.Ack.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Ack message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.Ack & watchpost.v1.Ack.$Shape} Ack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.Ack & watchpost.v1.Ack.$Shape;

            /**
             * Gets the type url for Ack
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Ack {

            /** Properties of an Ack. */
            interface $Properties {

                /** Ack seq */
                seq?: (number|null);

                /** Ack rejected */
                rejected?: (number|null);

                /** Ack reason */
                reason?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Ack. */
            type $Shape = watchpost.v1.Ack.$Properties;
        }

        /**
         * Properties of an Error.
         * @deprecated Use watchpost.v1.Error.$Properties instead.
         */
        interface IError extends watchpost.v1.Error.$Properties {
        }

        /** Represents an Error. */
        class Error {

            /**
             * Constructs a new Error.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.Error.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Error code. */
            code: watchpost.v1.ErrorCode;

            /** Error message. */
            message: string;

            /** Error seq. */
            seq: number;

            /**
             * Encodes the specified Error message. Does not implicitly {@link watchpost.v1.Error.verify|verify} messages.
             * @param message Error message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.Error.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Error message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.Error & watchpost.v1.Error.$Shape} Error
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.Error & watchpost.v1.Error.$Shape;

            /**
             * Gets the type url for Error
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Error {

            /** Properties of an Error. */
            interface $Properties {

                /** Error code */
                code?: (watchpost.v1.ErrorCode|null);

                /** Error message */
                message?: (string|null);

                /** Error seq */
                seq?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Error. */
            type $Shape = watchpost.v1.Error.$Properties;
        }

        /** ErrorCode enum. */
        enum ErrorCode {

            /** ERROR_CODE_UNSPECIFIED value */
            ERROR_CODE_UNSPECIFIED = 0,

            /** ERROR_CODE_BAD_FRAME value */
            ERROR_CODE_BAD_FRAME = 1,

            /** ERROR_CODE_UNSUPPORTED_VERSION value */
            ERROR_CODE_UNSUPPORTED_VERSION = 2,

            /** ERROR_CODE_UNAUTHORIZED value */
            ERROR_CODE_UNAUTHORIZED = 3,

            /** ERROR_CODE_RATE_LIMITED value */
            ERROR_CODE_RATE_LIMITED = 4,

            /** ERROR_CODE_UNAVAILABLE value */
            ERROR_CODE_UNAVAILABLE = 5,

            /** ERROR_CODE_BAD_BATCH value */
            ERROR_CODE_BAD_BATCH = 6
        }

        /**
         * Properties of a Policy.
         * @deprecated Use watchpost.v1.Policy.$Properties instead.
         */
        interface IPolicy extends watchpost.v1.Policy.$Properties {
        }

        /** Represents a Policy. */
        class Policy {

            /**
             * Constructs a new Policy.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.Policy.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Policy probes. */
            probes: watchpost.v1.ProbePolicy.$Properties[];

            /**
             * Encodes the specified Policy message. Does not implicitly {@link watchpost.v1.Policy.verify|verify} messages.
             * @param message Policy message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.Policy.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Policy message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.Policy & watchpost.v1.Policy.$Shape} Policy
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.Policy & watchpost.v1.Policy.$Shape;

            /**
             * Gets the type url for Policy
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Policy {

            /** Properties of a Policy. */
            interface $Properties {

                /** Policy probes */
                probes?: (watchpost.v1.ProbePolicy.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Policy. */
            type $Shape = watchpost.v1.Policy.$Properties;
        }

        /**
         * Properties of a ProbePolicy.
         * @deprecated Use watchpost.v1.ProbePolicy.$Properties instead.
         */
        interface IProbePolicy extends watchpost.v1.ProbePolicy.$Properties {
        }

        /** Represents a ProbePolicy. */
        class ProbePolicy {

            /**
             * Constructs a new ProbePolicy.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.ProbePolicy.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ProbePolicy name. */
            name: string;

            /** ProbePolicy schedule. */
            schedule: string;

            /** ProbePolicy disabled. */
            disabled: boolean;

            /**
             * Encodes the specified ProbePolicy message. Does not implicitly {@link watchpost.v1.ProbePolicy.verify|verify} messages.
             * @param message ProbePolicy message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.ProbePolicy.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ProbePolicy message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.ProbePolicy & watchpost.v1.ProbePolicy.$Shape} ProbePolicy
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.ProbePolicy & watchpost.v1.ProbePolicy.$Shape;

            /**
             * Gets the type url for ProbePolicy
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ProbePolicy {

            /** Properties of a ProbePolicy. */
            interface $Properties {

                /** ProbePolicy name */
                name?: (string|null);

                /** ProbePolicy schedule */
                schedule?: (string|null);

                /** ProbePolicy disabled */
                disabled?: (boolean|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ProbePolicy. */
            type $Shape = watchpost.v1.ProbePolicy.$Properties;
        }

        /**
         * Properties of a Heartbeat.
         * @deprecated Use watchpost.v1.Heartbeat.$Properties instead.
         */
        interface IHeartbeat extends watchpost.v1.Heartbeat.$Properties {
        }

        /** Represents a Heartbeat. */
        class Heartbeat {

            /**
             * Constructs a new Heartbeat.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.Heartbeat.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Heartbeat timeMs. */
            timeMs: number;

            /**
             * Encodes the specified Heartbeat message. Does not implicitly {@link watchpost.v1.Heartbeat.verify|verify} messages.
             * @param message Heartbeat message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.Heartbeat.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Heartbeat message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.Heartbeat & watchpost.v1.Heartbeat.$Shape} Heartbeat
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.Heartbeat & watchpost.v1.Heartbeat.$Shape;

            /**
             * Gets the type url for Heartbeat
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Heartbeat {

            /** Properties of a Heartbeat. */
            interface $Properties {

                /** Heartbeat timeMs */
                timeMs?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Heartbeat. */
            type $Shape = watchpost.v1.Heartbeat.$Properties;
        }

        /**
         * Properties of an UpdateOffer.
         * @deprecated Use watchpost.v1.UpdateOffer.$Properties instead.
         */
        interface IUpdateOffer extends watchpost.v1.UpdateOffer.$Properties {
        }

        /** Represents an UpdateOffer. */
        class UpdateOffer {

            /**
             * Constructs a new UpdateOffer.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.UpdateOffer.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** UpdateOffer version. */
            version: string;

            /** UpdateOffer target. */
            target: string;

            /** UpdateOffer url. */
            url: string;

            /** UpdateOffer sha256. */
            sha256: string;

            /** UpdateOffer signature. */
            signature: Uint8Array;

            /** UpdateOffer rollbackSeconds. */
            rollbackSeconds: number;

            /**
             * Encodes the specified UpdateOffer message. Does not implicitly {@link watchpost.v1.UpdateOffer.verify|verify} messages.
             * @param message UpdateOffer message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.UpdateOffer.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an UpdateOffer message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.UpdateOffer & watchpost.v1.UpdateOffer.$Shape} UpdateOffer
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.UpdateOffer & watchpost.v1.UpdateOffer.$Shape;

            /**
             * Gets the type url for UpdateOffer
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace UpdateOffer {

            /** Properties of an UpdateOffer. */
            interface $Properties {

                /** UpdateOffer version */
                version?: (string|null);

                /** UpdateOffer target */
                target?: (string|null);

                /** UpdateOffer url */
                url?: (string|null);

                /** UpdateOffer sha256 */
                sha256?: (string|null);

                /** UpdateOffer signature */
                signature?: (Uint8Array|null);

                /** UpdateOffer rollbackSeconds */
                rollbackSeconds?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an UpdateOffer. */
            type $Shape = watchpost.v1.UpdateOffer.$Properties;
        }

        /**
         * Properties of a PatchPlan.
         * @deprecated Use watchpost.v1.PatchPlan.$Properties instead.
         */
        interface IPatchPlan extends watchpost.v1.PatchPlan.$Properties {
        }

        /** Represents a PatchPlan. */
        class PatchPlan {

            /**
             * Constructs a new PatchPlan.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.PatchPlan.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PatchPlan planId. */
            planId: string;

            /** PatchPlan windowStartMs. */
            windowStartMs: number;

            /** PatchPlan windowEndMs. */
            windowEndMs: number;

            /** PatchPlan reboot. */
            reboot?: (watchpost.v1.PatchReboot.$Properties|null);

            /** PatchPlan items. */
            items: watchpost.v1.PatchPlanItem.$Properties[];

            /**
             * Encodes the specified PatchPlan message. Does not implicitly {@link watchpost.v1.PatchPlan.verify|verify} messages.
             * @param message PatchPlan message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.PatchPlan.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PatchPlan message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.PatchPlan & watchpost.v1.PatchPlan.$Shape} PatchPlan
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.PatchPlan & watchpost.v1.PatchPlan.$Shape;

            /**
             * Gets the type url for PatchPlan
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace PatchPlan {

            /** Properties of a PatchPlan. */
            interface $Properties {

                /** PatchPlan planId */
                planId?: (string|null);

                /** PatchPlan windowStartMs */
                windowStartMs?: (number|null);

                /** PatchPlan windowEndMs */
                windowEndMs?: (number|null);

                /** PatchPlan reboot */
                reboot?: (watchpost.v1.PatchReboot.$Properties|null);

                /** PatchPlan items */
                items?: (watchpost.v1.PatchPlanItem.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PatchPlan. */
            type $Shape = watchpost.v1.PatchPlan.$Properties;
        }

        /**
         * Properties of a PatchReboot.
         * @deprecated Use watchpost.v1.PatchReboot.$Properties instead.
         */
        interface IPatchReboot extends watchpost.v1.PatchReboot.$Properties {
        }

        /** Represents a PatchReboot. */
        class PatchReboot {

            /**
             * Constructs a new PatchReboot.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.PatchReboot.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PatchReboot mode. */
            mode: string;

            /** PatchReboot warnMinutes. */
            warnMinutes: number;

            /** PatchReboot message. */
            message: string;

            /**
             * Encodes the specified PatchReboot message. Does not implicitly {@link watchpost.v1.PatchReboot.verify|verify} messages.
             * @param message PatchReboot message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.PatchReboot.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PatchReboot message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.PatchReboot & watchpost.v1.PatchReboot.$Shape} PatchReboot
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.PatchReboot & watchpost.v1.PatchReboot.$Shape;

            /**
             * Gets the type url for PatchReboot
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace PatchReboot {

            /** Properties of a PatchReboot. */
            interface $Properties {

                /** PatchReboot mode */
                mode?: (string|null);

                /** PatchReboot warnMinutes */
                warnMinutes?: (number|null);

                /** PatchReboot message */
                message?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PatchReboot. */
            type $Shape = watchpost.v1.PatchReboot.$Properties;
        }

        /**
         * Properties of a PatchPlanItem.
         * @deprecated Use watchpost.v1.PatchPlanItem.$Properties instead.
         */
        interface IPatchPlanItem extends watchpost.v1.PatchPlanItem.$Properties {
        }

        /** Represents a PatchPlanItem. */
        class PatchPlanItem {

            /**
             * Constructs a new PatchPlanItem.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.PatchPlanItem.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** PatchPlanItem id. */
            id: string;

            /** PatchPlanItem manager. */
            manager: string;

            /** PatchPlanItem title. */
            title: string;

            /**
             * Encodes the specified PatchPlanItem message. Does not implicitly {@link watchpost.v1.PatchPlanItem.verify|verify} messages.
             * @param message PatchPlanItem message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.PatchPlanItem.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a PatchPlanItem message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.PatchPlanItem & watchpost.v1.PatchPlanItem.$Shape} PatchPlanItem
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.PatchPlanItem & watchpost.v1.PatchPlanItem.$Shape;

            /**
             * Gets the type url for PatchPlanItem
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace PatchPlanItem {

            /** Properties of a PatchPlanItem. */
            interface $Properties {

                /** PatchPlanItem id */
                id?: (string|null);

                /** PatchPlanItem manager */
                manager?: (string|null);

                /** PatchPlanItem title */
                title?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a PatchPlanItem. */
            type $Shape = watchpost.v1.PatchPlanItem.$Properties;
        }

        /**
         * Properties of an AvAction.
         * @deprecated Use watchpost.v1.AvAction.$Properties instead.
         */
        interface IAvAction extends watchpost.v1.AvAction.$Properties {
        }

        /** Represents an AvAction. */
        class AvAction {

            /**
             * Constructs a new AvAction.
             * @param [properties] Properties to set
             */
            constructor(properties?: watchpost.v1.AvAction.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** AvAction requestId. */
            requestId: string;

            /** AvAction action. */
            action: string;

            /**
             * Encodes the specified AvAction message. Does not implicitly {@link watchpost.v1.AvAction.verify|verify} messages.
             * @param message AvAction message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: watchpost.v1.AvAction.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an AvAction message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {watchpost.v1.AvAction & watchpost.v1.AvAction.$Shape} AvAction
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): watchpost.v1.AvAction & watchpost.v1.AvAction.$Shape;

            /**
             * Gets the type url for AvAction
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace AvAction {

            /** Properties of an AvAction. */
            interface $Properties {

                /** AvAction requestId */
                requestId?: (string|null);

                /** AvAction action */
                action?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an AvAction. */
            type $Shape = watchpost.v1.AvAction.$Properties;
        }
    }
}
