#pragma once
// The sidecar as JSON (engine-internal, Qt JSON only): parsing an object already read, and
// laying a folder's attnscope.json over the sidecar its export files imply.
#include "attnscope/scriptmodel.h"

#include <QDir>
#include <QJsonObject>

namespace attnscope {

/// parseSidecar on an object already read: paths resolve inside `base`; errors name
/// `jsonPath` and the field.
Status parseSidecarObject(const std::string& jsonPath, const QDir& base, const QJsonObject& o, ScriptModelSpec& out);

/// Reads the sidecar file at `jsonPath` as an object (at most 1 MiB). Errors: unreadable,
/// too large, not a JSON object.
Status readSidecarObject(const std::string& jsonPath, QJsonObject& out);

/// `over`'s keys laid over `implied`, key by key: a key `over` gives replaces the implied one,
/// except "input" and its "source" / "target" objects, which are merged the same way (so an
/// attnscope.json can change only "eos", or only the target's "append").
QJsonObject overlaySidecar(const QJsonObject& implied, const QJsonObject& over);

/// The spec of an ONNX export folder (onnxexport.cpp): the sidecar its config.json,
/// generation_config.json and tokenizer files imply (Marian, T5, SentencePiece decoders), with
/// the folder's attnscope.json laid over it (overlaySidecar). `decoderOnly`: a model.onnx
/// generator, else an encoder–decoder pair. Errors: unreadable JSON, a model type or
/// tokenizer the folder cannot describe and no attnscope.json filling the gap, token ids
/// outside the vocabulary — each naming the file and key.
Status exportFolderSpec(const std::string& folder, bool decoderOnly, ScriptModelSpec& out);

} // namespace attnscope
