#include "toykind.h"

#include "attnscope/kinds.h"
#include "cli/clicommon.h"
#include "views/figurewriter.h"
#include "workspace.h"
#include "workspaces/registry.h"
#include "views/messagebanner.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QLabel>
#include <QVBoxLayout>

#include <iostream>
#include <sstream>

namespace attnscope::toy {

Status runToy(const std::string& text, AttentionTrace& out)
{
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.empty()) return Status::error("nothing to count: the text is empty");
    size_t longest = 0;
    for (size_t i = 1; i < words.size(); ++i)
        if (words[i].size() > words[longest].size()) longest = i;
    out = AttentionTrace{};
    out.model = "toy-model";
    out.metadata["input"] = text;
    TraceTensor t;
    t.name = "attention";
    t.axes = {"query", "key"};
    t.shape = {int64_t(words.size()), int64_t(words.size())};
    t.labels = {words, words};
    t.values.assign(words.size() * words.size(), 0.0f);
    for (size_t q = 0; q < words.size(); ++q) t.values[q * words.size() + longest] = 1.0f;
    out.tensors.push_back(std::move(t));
    return out.validate();
}

namespace {

/// The toy workspace: a label with the longest word of the text it shows.
class ToyWorkspace : public ui::Workspace {
public:
    explicit ToyWorkspace(QWidget* parent) : Workspace({"toy", {}, {}, {{"Toy texts", {"toy"}, {}}}}, parent), label_(new QLabel(this))
    {
        auto* layout = new QVBoxLayout(this);
        layout->addWidget(banner_);
        layout->addWidget(label_);
    }
    void showDefault() override { show("a toy demo sentence"); }
    bool hasInput() const override { return trace_ != nullptr; }
    bool openFile(const QString& path) override
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) return false;
        return show(QString::fromUtf8(f.readAll()).toStdString());
    }
    ui::BuiltFigure currentFigure() override { return ui::BuiltFigure::of(label_); }
    ui::ViewData currentData() const override { return ui::ViewData::none(QStringLiteral("no numbers")); }
    void setColorMap(const QString&) override {}
    ui::WorkspaceSection saveState() const override { return {QJsonObject{{"text", label_->text()}}, {}}; }
    bool restoreState(const ui::WorkspaceSection&, QString*) override { return true; }
    QString shown() const { return label_->text(); }

private:
    bool show(const std::string& text)
    {
        auto trace = std::make_shared<AttentionTrace>();
        if (auto st = runToy(text, *trace); !st) {
            showError(QString::fromStdString(st.message));
            return false;
        }
        const TraceTensor& t = trace->tensors[0];
        size_t key = 0;
        while (t.values[key] == 0.0f) ++key;
        label_->setText(QString::fromStdString(t.labels[1][key]));
        trace_ = trace;
        emit traceShown();
        return true;
    }
    QLabel* label_;
};

/// `attnscope run toy-model TEXT --out FILE.json`: the toy pipeline, as the workspace runs it.
int cmdRunToy(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "toy-model or a .toy file");
    p.addPositionalArgument("text", "words");
    p.addOption({"out", "the trace (.json)", "file"});
    if (!p.parse(args)) return cli::usage(p.errorText().toStdString());
    if (p.positionalArguments().size() != 2 || !p.isSet("out")) return cli::usage("run takes toy-model TEXT --out FILE");
    AttentionTrace trace;
    if (auto st = runToy(p.positionalArguments()[1].toStdString(), trace); !st) return cli::fail(st.message);
    if (auto st = saveTraceAuto(trace, p.value("out").toStdString()); !st) return cli::fail(st.message);
    return 0;
}

} // namespace

void registerToyKind()
{
    KindDescriptor k;
    k.id = "toy";
    k.title = "Toy";
    k.description = "Counts words and attends to the longest one";
    k.builtinModels = [] { return std::vector<OfferedModel>{{"toy-model", "toy-model", "the toy counter"}}; };
    k.takesModelFile = [](const std::string& path) { return QFileInfo(QString::fromStdString(path)).suffix() == "toy"; };
    k.verbs = {{"run", "  attnscope run toy-model TEXT --out FILE.json\n                                     the toy kind's trace\n", true,
                cli::verbOf(cmdRunToy)}};
    ui::registerKind(std::move(k), [](QWidget* parent) -> ui::Workspace* { return new ToyWorkspace(parent); });
}

} // namespace attnscope::toy
