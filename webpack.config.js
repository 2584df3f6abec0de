// Merged into JupyterLab's extension build. The Anthropic SDK's dependency `standardwebhooks`
// ships source maps that point at sources it does not publish; the warning is noise.
module.exports = {
  ignoreWarnings: [/Failed to parse source map/]
};
