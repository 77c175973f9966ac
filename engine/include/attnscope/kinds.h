#pragma once
// The kind catalogue: one descriptor per kind of model AttnScope runs (translation, channel
// attention, spatial transformers, captioning, video, long attention, vision models). It is
// the one list of kinds: the GUI's workspace registry, the `attnscope` command line (which
// subcommand runs a model, and the help) and every model picker look kinds up here by id, so
// "which models does this workspace offer" and "which kind runs this file" have one answer.
//
// A kind is one folder (ui/workspaces/<id>/): its descriptor, pipeline calls, workspace and CLI
// verbs, registered by one line in ui/workspaces/kinds.cpp (docs/architecture.md). The
// descriptor is plain C++ so the CLI and tests can use it without widgets.
#include <functional>
#include <string>
#include <vector>

namespace attnscope {

/// The ids of the built-in kinds, for the model table (ModelInfo::kind) and workspace files.
/// Code asks the catalogue about a kind; it never compares ids it spelled itself.
namespace kinds {
constexpr const char* kText = "text";
constexpr const char* kImage = "image";
constexpr const char* kStn = "stn";
constexpr const char* kCaption = "caption";
constexpr const char* kVideo = "video";
constexpr const char* kLong = "long";
constexpr const char* kVision = "vision";
} // namespace kinds

/// One model a kind offers in its picker.
struct OfferedModel {
    std::string id;           ///< what the pipeline takes: a built-in name or a file path
    std::string label;        ///< picker text: the name, or "NAME (yours)" for a user model
    std::string description;  ///< picker tooltip
    bool builtin = true;      ///< false for a user model file (Model manager)
    /// Offered here, run by another kind (the Image workspace offers PaddleOCR's models for
    /// their SE gates; `attnscope run ppocr-det` still goes to the vision kind).
    bool borrowed = false;
};

/// A subcommand a kind answers. `run` and `eval` are dispatched to the kind of the model named
/// first (KindCatalogue::kindOfModel); other verbs (e.g. `scenes`) are unique to one kind.
struct CliVerb {
    std::string name;  ///< "run", "eval", "scenes", …
    std::string help;  ///< its lines in `attnscope help`, indented as the rest of the help
    /// True when its first argument names a model: a verb several kinds answer goes to the
    /// kind of that model; a verb one kind answers checks that the model is of its kind.
    bool takesModel = true;
    /// The subcommand: args[0] is the program name, then the verb's arguments (the verb itself
    /// removed). Returns the process exit status (0 ok, 1 failure, 2 usage error).
    std::function<int(const std::vector<std::string>& args)> run;
};

/// Everything AttnScope knows of one kind, declared once.
struct KindDescriptor {
    std::string id;           ///< stable; workspace files and settings use it: "text", "image", …
    std::string title;        ///< the workspace tab's title
    std::string description;  ///< one sentence: the tab's tooltip, `attnscope help`
    /// Its built-in models in picker order (empty function: none).
    std::function<std::vector<OfferedModel>()> builtinModels;
    /// Built-in names it runs that its picker does not offer (e.g. the STN experiments' CNN
    /// baselines, run from the command line).
    std::vector<std::string> extraBuiltinNames;
    /// True when this kind runs the user model file at `path` (empty function: none).
    std::function<bool(const std::string& path)> takesModelFile;
    /// True for the kind that runs any existing model file no other kind claims (translator
    /// weights written by `attnscope train`, whose loader says when a file is not one).
    bool fallbackForModelFiles = false;
    /// Its subcommands.
    std::vector<CliVerb> verbs;

    const CliVerb* verb(const std::string& name) const;
    /// True when `name` is one of its built-in models (offered or extra).
    bool hasBuiltin(const std::string& name) const;
};

class KindCatalogue {
public:
    /// The process-wide catalogue, filled at start-up (ui/workspaces/kinds.cpp: registerBuiltinKinds).
    static KindCatalogue& global();

    /// Adds a kind, or replaces the one with the same id (its position is kept).
    void add(KindDescriptor kind);
    /// In registration order (= tab order).
    const std::vector<KindDescriptor>& kinds() const { return kinds_; }
    const KindDescriptor* find(const std::string& id) const;

    /// The kind that runs `nameOrPath`: the kind with that built-in model; else, for an existing
    /// file, the first kind whose takesModelFile accepts it, else the fallback kind. Null for a
    /// name that is neither a built-in model nor an existing file.
    const KindDescriptor* kindOfModel(const std::string& nameOrPath) const;
    /// The models kind `id` offers: its built-in ones, then each file of `userModels` (the Model
    /// manager's list) it takes that exists. Empty for an unknown id.
    std::vector<OfferedModel> modelsFor(const std::string& id, const std::vector<std::string>& userModels) const;
    /// Every verb name some kind answers (for the command line's list of subcommands).
    std::vector<std::string> verbNames() const;

private:
    std::vector<KindDescriptor> kinds_;
};

} // namespace attnscope
