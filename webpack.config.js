// Merged into JupyterLab's extension build.
module.exports = {
  module: {
    rules: [
      // The code sent to Python kernels (src/kernel/inspector.py), bundled as text.
      { test: /\.py$/, type: 'asset/source' }
    ]
  },
  // The Anthropic SDK's dependency `standardwebhooks` ships source maps that point at
  // sources it does not publish; the warning is noise.
  ignoreWarnings: [/Failed to parse source map/]
};
