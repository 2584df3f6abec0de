import './startup.css';
