#pragma once
// The UI's pages and actions, one file each; ui_service.cpp routes to them.
#include <string>

#include "ui/page.hpp"

namespace shipml::ui {

/// GET /runs: the list, filtered, sorted, one page of it.
Page runs_page(Context& c);
/// GET /runs/ID: one run, whole.
Page run_page(Context& c, const std::string& id);
/// GET /runs/ID/artifacts/NAME: a file the run stored, as a download.
Page artifact_download(Context& c, const std::string& id, const std::string& name);
/// GET /compare?run=A&run=B...: 2 to 10 runs side by side.
Page compare_page(Context& c);
/// GET /models: every registered model.
Page models_page(Context& c);
/// GET /models/NAME: its versions, aliases and history.
Page model_page(Context& c, const std::string& name);

}  // namespace shipml::ui
