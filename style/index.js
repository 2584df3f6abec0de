import './base.css';
import './mcp.css';
import './usage.css';
