// Files bundled as text: icons, and the code sent to kernels; style sheets loaded with the chat.
declare module '*.svg' {
  const value: string;
  export default value;
}

declare module '*.py' {
  const value: string;
  export default value;
}

declare module '*.css';
