// The kind catalogue (attnscope/kinds.h). Plain C++ and the file system only.
#include "attnscope/kinds.h"

#include <algorithm>
#include <filesystem>

namespace attnscope {

const CliVerb* KindDescriptor::verb(const std::string& name) const
{
    for (const auto& v : verbs)
        if (v.name == name) return &v;
    return nullptr;
}

bool KindDescriptor::hasBuiltin(const std::string& name) const
{
    if (std::find(extraBuiltinNames.begin(), extraBuiltinNames.end(), name) != extraBuiltinNames.end()) return true;
    if (!builtinModels) return false;
    for (const auto& m : builtinModels())
        if (m.id == name && !m.borrowed) return true;
    return false;
}

KindCatalogue& KindCatalogue::global()
{
    static KindCatalogue catalogue;
    return catalogue;
}

void KindCatalogue::add(KindDescriptor kind)
{
    for (auto& k : kinds_)
        if (k.id == kind.id) {
            k = std::move(kind);
            return;
        }
    kinds_.push_back(std::move(kind));
}

const KindDescriptor* KindCatalogue::find(const std::string& id) const
{
    for (const auto& k : kinds_)
        if (k.id == id) return &k;
    return nullptr;
}

const KindDescriptor* KindCatalogue::kindOfModel(const std::string& nameOrPath) const
{
    for (const auto& k : kinds_)
        if (k.hasBuiltin(nameOrPath)) return &k;
    std::error_code ec;
    // A model is a file, or a folder a kind takes (an ONNX encoder–decoder export).
    const bool folder = !nameOrPath.empty() && std::filesystem::is_directory(nameOrPath, ec);
    if (nameOrPath.empty() || (!folder && !std::filesystem::is_regular_file(nameOrPath, ec))) return nullptr;
    for (const auto& k : kinds_)
        if (k.takesModelFile && (folder || !k.fallbackForModelFiles) && k.takesModelFile(nameOrPath)) return &k;
    if (folder) return nullptr;
    for (const auto& k : kinds_)
        if (k.fallbackForModelFiles) return &k;
    return nullptr;
}

std::vector<OfferedModel> KindCatalogue::modelsFor(const std::string& id, const std::vector<std::string>& userModels) const
{
    std::vector<OfferedModel> out;
    const KindDescriptor* k = find(id);
    if (!k) return out;
    if (k->builtinModels) out = k->builtinModels();
    if (!k->takesModelFile) return out;
    for (const auto& path : userModels) {
        std::error_code ec;
        if ((!std::filesystem::is_regular_file(path, ec) && !std::filesystem::is_directory(path, ec)) || !k->takesModelFile(path))
            continue;
        OfferedModel m;
        m.id = path;
        m.label = std::filesystem::path(path).stem().string() + " (yours)";
        m.description = path;
        m.builtin = false;
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<std::string> KindCatalogue::verbNames() const
{
    std::vector<std::string> names;
    for (const auto& k : kinds_)
        for (const auto& v : k.verbs)
            if (std::find(names.begin(), names.end(), v.name) == names.end()) names.push_back(v.name);
    return names;
}

} // namespace attnscope
